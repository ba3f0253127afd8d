import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CONFIG_FILES, loadConfig, presentSearchPlaces } from '../../src/config/load-config.js';
import { HeraldError } from '../../src/errors/index.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A directory holding the given files (the loader reads the repository root; git is not needed). */
function rootWith(files: Record<string, string>): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'herald-config-'));
  dirs.push(dir);
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    writeFileSync(path.join(dir, name), text);
  }
  return dir;
}

async function failureOf(run: Promise<unknown>): Promise<HeraldError> {
  try {
    await run;
  } catch (error) {
    if (error instanceof HeraldError) return error;
    throw error;
  }
  throw new Error('expected a HeraldError');
}

/** The same settings in each format semantic-release reads. */
const FORMS: Record<string, string> = {
  'package.json': JSON.stringify({ name: 'x', release: { herald: { product: 'Acme' } } }),
  '.releaserc': 'herald:\n  product: Acme\n',
  '.releaserc.json': '{ "herald": { "product": "Acme" } }',
  '.releaserc.yaml': 'herald:\n  product: Acme\n',
  '.releaserc.yml': 'herald:\n  product: Acme\n',
  '.releaserc.js': 'module.exports = { herald: { product: "Acme" } };\n',
  '.releaserc.cjs': 'module.exports = { herald: { product: "Acme" } };\n',
  '.releaserc.mjs': 'export default { herald: { product: "Acme" } };\n',
  '.config/releaserc': '{ "herald": { "product": "Acme" } }',
  '.config/releaserc.json': '{ "herald": { "product": "Acme" } }',
  '.config/releaserc.yaml': 'herald: { product: Acme }\n',
  '.config/releaserc.yml': 'herald: { product: Acme }\n',
  '.config/releaserc.js': 'module.exports = { herald: { product: "Acme" } };\n',
  '.config/releaserc.cjs': 'module.exports = { herald: { product: "Acme" } };\n',
  '.config/releaserc.mjs': 'export default { herald: { product: "Acme" } };\n',
  'release.config.js': 'module.exports = { herald: { product: "Acme" } };\n',
  'release.config.cjs': 'module.exports = { herald: { product: "Acme" } };\n',
  'release.config.mjs': 'export default { herald: { product: "Acme" } };\n',
};

describe('loadConfig: the files semantic-release reads', () => {
  it('reads every form semantic-release reads, and picks the first in its order', async () => {
    const forms = CONFIG_FILES.filter((name) => !name.endsWith('.ts'));
    expect(forms).toEqual(Object.keys(FORMS));
    // All forms present at once: removing the winner each time walks semantic-release's order.
    const root = rootWith(FORMS);
    for (const name of forms) {
      const { config, file } = await loadConfig(root);
      expect(path.relative(root, file!)).toBe(name);
      expect(config.product).toBe('Acme');
      rmSync(path.join(root, name));
    }
    expect((await loadConfig(root)).file).toBeNull();
  });

  it('looks only at the search places that exist, in semantic-release order', () => {
    const root = rootWith({
      'release.config.mjs': 'export default {}',
      '.config/releaserc.yml': 'herald: {}',
      'package.json': '{}',
      'README.md': '# not a config',
    });
    expect(presentSearchPlaces(root)).toEqual([
      'package.json',
      '.config/releaserc.yml',
      'release.config.mjs',
    ]);
    expect(presentSearchPlaces(rootWith({ 'README.md': '' }))).toEqual([]);
    // A root that cannot be listed is searched place by place, as before.
    expect(presentSearchPlaces(path.join(root, 'missing'))).toEqual(CONFIG_FILES);
  });

  it('skips package.json without a "release" key, and empty files, as semantic-release does', async () => {
    const root = rootWith({
      'package.json': JSON.stringify({ name: 'x' }),
      '.releaserc': '  \n',
      '.releaserc.yaml': 'herald:\n  product: From YAML\n',
    });
    const loaded = await loadConfig(root);
    expect(path.basename(loaded.file!)).toBe('.releaserc.yaml');
    expect(loaded.config.product).toBe('From YAML');
  });

  it('reads .releaserc.json with comments and trailing commas (JSONC)', async () => {
    const root = rootWith({
      '.releaserc.json': `{
  // semantic-release
  "branches": ["main",],
  /* Herald */
  "herald": { "product": "Acme", "notes": { "nonConventional": "drop", }, },
}
`,
    });
    const { config } = await loadConfig(root);
    expect(config.product).toBe('Acme');
    expect(config.notes.nonConventional).toBe('drop');
  });

  it("reads the README's own configuration example", async () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    const section = readme.slice(readme.indexOf('## Configuration'));
    const example = /```jsonc\n([\s\S]*?)```/.exec(section)![1]!;
    expect(example).toContain('//');
    const { config } = await loadConfig(rootWith({ '.releaserc.json': example }));
    expect(config.product).toBe('Acme Cloud');
  });

  it('names the line of a bad setting in JSONC, YAML and package.json; none in JavaScript', async () => {
    const bad = async (name: string, text: string) =>
      (await failureOf(loadConfig(rootWith({ [name]: text })))).problems[0]!.location;
    expect(
      await bad(
        '.releaserc.json',
        '{\n  // comment\n  "herald": {\n    "issues": { "provider": "svn" },\n  },\n}',
      ),
    ).toMatchObject({ path: 'herald.issues.provider', line: 4, column: 17 });
    expect(await bad('.releaserc', '# comment\nherald:\n  issues:\n    provider: svn\n')).toMatchObject({
      file: expect.stringMatching(/\.releaserc$/),
      path: 'herald.issues.provider',
      line: 4,
      column: 5,
    });
    expect(
      await bad('package.json', '{\n  "name": "x",\n  "release": {\n    "herald": { "product": 7 }\n  }\n}'),
    ).toMatchObject({ path: 'herald.product', line: 4, column: 17 });
    const js = await bad('release.config.cjs', 'module.exports = { herald: { product: 7 } };');
    expect(js).toMatchObject({ path: 'herald.product' });
    expect(js?.line).toBeUndefined();
  });

  it('reports syntax errors with file, line and column, for JSONC and YAML', async () => {
    const json = await failureOf(
      loadConfig(rootWith({ '.releaserc.json': '{\n  "herald": {\n    "product" "x"\n  }\n}' })),
    );
    expect(json.code).toBe('ECONFIGSYNTAX');
    expect(json.message).toMatch(/\.releaserc\.json is not valid JSON: a colon is expected/);
    expect(json.problems[0]!.location).toMatchObject({ line: 3, column: 15 });
    const yaml = await failureOf(
      loadConfig(rootWith({ '.releaserc.yml': 'herald:\n  product: Acme\n\tnotes: {}\n' })),
    );
    expect(yaml.code).toBe('ECONFIGSYNTAX');
    expect(yaml.message).toMatch(/\.releaserc\.yml is not valid YAML: Tabs are not allowed/);
    expect(yaml.problems[0]!.location).toMatchObject({ line: 3, column: 1 });
    expect(yaml.exitCode).toBe(2);
  });

  it('says what is wrong with a JavaScript or TypeScript config instead of crashing', async () => {
    const throws = await failureOf(
      loadConfig(rootWith({ 'release.config.cjs': 'throw new Error("no env")' })),
    );
    expect(throws.code).toBe('ECONFIGLOAD');
    expect(throws.message).toMatch(/release\.config\.cjs could not be loaded: no env/);
    const nothing = await failureOf(loadConfig(rootWith({ 'release.config.mjs': 'export const x = 1;\n' })));
    expect(nothing.message).toMatch(/exports no config object/);
    const ts = await failureOf(loadConfig(rootWith({ 'release.config.ts': 'export default {}' })));
    expect(ts.code).toBe('ECONFIGLOAD');
    expect(ts.fix).toMatch(/release\.config\.mjs/);
  });

  it('reads --config in any of these formats, and refuses one it cannot tell', async () => {
    const root = rootWith({ 'ci/herald.yaml': 'herald:\n  product: CI\n', 'ci/herald.conf': '{}' });
    expect((await loadConfig(root, path.join(root, 'ci/herald.yaml'))).config.product).toBe('CI');
    const unknown = await failureOf(loadConfig(root, path.join(root, 'ci/herald.conf')));
    expect(unknown.code).toBe('EUSAGE');
    const missing = await failureOf(loadConfig(root, path.join(root, 'ci/none.json')));
    expect(missing.code).toBe('ENOCONFIG');
  });
});
