// Bundles the CLI: dist/bin/herald.js (ES modules, each command's libraries in chunks loaded on
// demand), dist/bin/notes.cjs (the fast path of `herald notes` and `changelog`) and the launcher
// dist/bin/herald.cjs (package.json's "bin"). Node 20 has no compile cache, and resolving ~100
// ESM modules costs more than the work of a typical `herald notes`. The library build (tsc →
// dist/) stays unbundled.
import { createHash } from 'node:crypto';
import { readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { build } from 'esbuild';

rmSync('dist/bin', { recursive: true, force: true });

/**
 * `semver` as Herald calls it (compare, rcompare, gt, lt, inc, parse, prerelease, valid): its
 * index also loads the range classes, which parse comparators as they load: a few milliseconds
 * of every start. Only Herald's own imports are redirected (dependencies keep the whole package);
 * test/cli/startup.test.ts checks that every function src/ calls is there.
 */
const semverFunctionsOnly = {
  name: 'semver-functions-only',
  setup(b) {
    b.onResolve({ filter: /^semver$/ }, (args) =>
      args.importer.includes(`${path.sep}src${path.sep}`)
        ? { path: path.resolve('scripts/semver-functions.cjs') }
        : undefined,
    );
  },
};

/**
 * jira.js validates with classic zod. Bundled, its zod core modules would be shared with the
 * config schema's zod/mini in one chunk, and tree-shaking keeps what either needs: 517 KB (every
 * locale, JSON Schema, the compiler) loaded by every command that reads the config, where zod/mini
 * alone is about 25 KB. jira.js's zod loads from node_modules instead, when a Jira tracker runs.
 */
const jiraZodExternal = {
  name: 'jira-zod-external',
  setup(b) {
    b.onResolve({ filter: /^zod(\/.*)?$/ }, (args) =>
      args.importer.includes(`${path.sep}node_modules${path.sep}jira.js${path.sep}`)
        ? { path: args.path, external: true }
        : undefined,
    );
  },
};

/** What every bundle shares: Node 20, whitespace and syntax minified, names kept for stack traces. */
const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  sourcemap: 'linked',
  legalComments: 'none',
  minifyWhitespace: true,
  minifySyntax: true,
  logLevel: 'warning',
  // Native (better-sqlite3) and CommonJS-with-optional-native (pg) drivers load from node_modules.
  external: ['better-sqlite3', 'pg', 'pg-native'],
  // jsonc-parser's "main" is a UMD build whose require() calls esbuild cannot follow; its ESM
  // build ("module") bundles cleanly.
  alias: { 'jsonc-parser': 'jsonc-parser/lib/esm/main.js' },
  plugins: [semverFunctionsOnly, jiraZodExternal],
};

await build({
  ...common,
  entryPoints: { herald: 'src/cli/bin.ts', 'page-compiler-worker': 'src/adapters/page-compiler-worker.ts' },
  outdir: 'dist/bin',
  entryNames: '[name]',
  // The template compiler is loaded only when a template changed: a chunk of its own.
  splitting: true,
  chunkNames: 'chunks/[name]-[hash]',
  format: 'esm',
  // CommonJS dependencies (handlebars, semver) call require(); give the ESM bundle one.
  banner: {
    js: "import { createRequire as __heraldRequire } from 'node:module';\nconst require = __heraldRequire(import.meta.url);",
  },
});

/**
 * `herald notes --html` and `herald changelog --dry-run` load the Markdown toolchain and a diff
 * library: half the fast bundle's size, which every run would read and deserialise. The launcher
 * sends those flags to the ES module build, so the fast bundle leaves both out (in their place, a
 * function that says so if it is ever reached). test/cli/startup.test.ts runs both flags.
 */
const leftOut = { '../../core/docs/compile-page.js': 'compileMarkdown', diff: 'createTwoFilesPatch' };
const fastPathLeavesOut = {
  name: 'fast-path-leaves-out',
  setup(b) {
    b.onResolve({ filter: /^(\.\.\/\.\.\/core\/docs\/compile-page\.js|diff)$/ }, (args) =>
      args.kind === 'dynamic-import' && args.importer.endsWith(path.join('commands', 'notes.ts'))
        ? { path: args.path, namespace: 'left-out' }
        : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: 'left-out' }, (args) => ({
      contents: `export function ${leftOut[args.path]}() { throw new Error('${args.path} is not in dist/bin/notes.cjs: dist/bin/herald.cjs sends this command to dist/bin/herald.js'); }`,
      loader: 'js',
    }));
  },
};

/**
 * The fast path of `herald notes` and `herald changelog` (see src/cli/launcher.ts): everything
 * they can reach in one CommonJS file (no chunks: esbuild splits only ES modules), run through
 * V8's code cache, and the launcher package.json's "bin" names. CommonJS has no import.meta: its
 * URL comes from scripts/file-url.cjs.js, injected (a banner would push "use strict" off the top).
 */
const commonJs = {
  ...common,
  format: 'cjs',
  define: { 'import.meta.url': '__heraldFileUrl' },
  inject: ['scripts/file-url.cjs.js'],
};
await build({
  ...commonJs,
  entryPoints: ['src/cli/bin-notes.ts'],
  outfile: 'dist/bin/notes.cjs',
  plugins: [...commonJs.plugins, fastPathLeavesOut],
});
const notesHash = createHash('sha256').update(readFileSync('dist/bin/notes.cjs')).digest('hex').slice(0, 16);
await build({
  ...commonJs,
  entryPoints: ['src/cli/launcher.ts'],
  outfile: 'dist/bin/herald.cjs',
  define: { ...commonJs.define, HERALD_NOTES_BUNDLE_HASH: JSON.stringify(notesHash) },
});
