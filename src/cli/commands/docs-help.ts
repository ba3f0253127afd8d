export const docsHelp = `Usage: herald docs <build|check|diff> [options]

Compiles the product docs (herald.docs.dir, default docs/) as they are at a git ref.

  herald docs build [--ref <ref>] [--out <dir>]   write HTML pages, assets and manifest.json
  herald docs check [--ref <ref>] [--strict]      report every problem as file:line:column
  herald docs diff <fromRef> <toRef>              pages added, changed, removed and renamed

Options:
  --ref <ref>       the release to read the docs from (default: HEAD); never the working tree
  --out <dir>       output directory for build (default: .herald/docs)
  --strict          warnings fail the check too
  --json            machine-readable output
  --cwd <dir>, --config <file>, -h/--help

Settings (herald.docs): dir, locale, flavor (github | vitepress | docusaurus | mkdocs: heading
ids, static folders, root URLs), assetDirs, exclude (globs), rules ({ "<rule>": "error" |
"warning" | "off" }), rootSection.`;
