export const initHelp = `Usage: herald init [options]

Writes a starting .releaserc.json from what the repository shows: the product name (package.json
"name", else the directory), the tag format (from existing tags), the docs folder and its site
generator, and the repository URL (the origin remote). Prints what it found and what to do next.

Refuses when a config exists: .releaserc.json (use --force to replace its "herald" settings;
semantic-release's keys and comments stay), or another form semantic-release reads
(release.config.js, .releaserc.yaml, package.json "release", …): then add the printed settings
under "herald" there yourself.

Options:
  --force         replace the "herald" settings of an existing .releaserc.json
  --dry-run       print the config, write nothing
  --json          print what was found and the config as JSON
  --cwd <dir>, -h/--help`;
