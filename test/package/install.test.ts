import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestRepo } from '../helpers/git-repo.js';
import { noCi } from '../integrations/ci-env.js';

/**
 * The package as a user gets it: `npm pack` of this checkout's build, installed into an empty
 * project with its own node_modules (dependencies from the npm cache where it has them, else the
 * registry; better-sqlite3 built as on a fresh machine). One install for the whole file: it is slow.
 */
const exec = promisify(execFile);
const root = path.resolve(fileURLToPath(new URL('../..', import.meta.url)));
let dir: string;
let project: TestRepo;
const npm = (args: string[], cwd: string) =>
  exec('npm', args, {
    cwd,
    maxBuffer: 64 * 1024 * 1024,
    env: {
      ...process.env,
      // Node's headers for a native build come from this Node's own install, not a download.
      npm_config_nodedir: process.env.npm_config_nodedir ?? path.dirname(path.dirname(process.execPath)),
      npm_config_update_notifier: 'false',
    },
  });
const run = (command: string, args: string[]) =>
  exec(command, args, { cwd: project.dir, env: { ...process.env, ...noCi, NO_COLOR: '1' } });

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'herald-package-'));
  // The build `npm test` made: packing must not rebuild dist/ under the other tests' feet.
  await npm(['pack', '--ignore-scripts', '--pack-destination', dir], root);
  const tarball = readdirSync(dir).find((f) => f.endsWith('.tgz'));
  if (!tarball) throw new Error('npm pack made no tarball');
  project = new TestRepo('herald-installed-');
  project.write(
    'package.json',
    `${JSON.stringify({ name: 'acme-cloud', version: '1.0.0', private: true })}\n`,
  );
  project.write('.gitignore', 'node_modules/\n.herald/\n');
  await npm(['install', '--prefer-offline', '--no-audit', '--no-fund', path.join(dir, tarball)], project.dir);
  project.commit('chore: project setup', {
    files: { 'package.json': `${JSON.stringify({ name: 'acme-cloud', private: true })}\n` },
  });
  project.commit('feat(billing): export invoices as CSV');
  project.tag('v1.0.0');
  project.commit('feat: dark mode for the web app');
}, 900_000);
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
  project?.remove();
});

describe('the installed package', () => {
  it('runs the CLI through npx: --version, init, notes and prepare', { timeout: 120_000 }, async () => {
    const { version } = (await import(path.join(root, 'package.json'), { with: { type: 'json' } })).default;
    expect((await run('npx', ['herald', '--version'])).stdout.trim()).toBe(version);

    // `herald init` points $schema into node_modules when Herald is installed there.
    const init = await run('npx', ['herald', 'init', '--dry-run']);
    expect(init.stdout).toContain('"$schema": "./node_modules/herald-release/schema/herald.schema.json"');
    writeFileSync(
      path.join(project.dir, '.releaserc.json'),
      `${JSON.stringify({ $schema: './node_modules/herald-release/schema/herald.schema.json', herald: { product: 'Acme Cloud', docs: false } })}\n`,
    );
    const notes = await run('npx', ['herald', 'notes']);
    expect(notes.stdout).toContain('Dark mode for the web app');
    // The native store driver was built and loads.
    const prepared = await run('npx', ['herald', 'prepare', '--json']);
    expect(JSON.parse(prepared.stdout)).toMatchObject({ ok: true, outcome: 'created', version: '1.1.0' });
  });

  it('resolves the JSON Schema, the templates and the semantic-release plugin from node_modules', {
    timeout: 120_000,
  }, async () => {
    const installed = path.join(project.dir, 'node_modules', 'herald-release');
    for (const file of [
      'schema/herald.schema.json',
      'templates/customer.hbs',
      'templates/ci/herald.gitlab-ci.yml',
    ])
      expect(existsSync(path.join(installed, file)), file).toBe(true);
    // semantic-release resolves plugins with Node's CommonJS resolver, then import()s them.
    const script = [
      "const { createRequire } = await import('node:module');",
      "const require = createRequire(process.cwd() + '/');",
      "const plugin = await import(require.resolve('herald-release/semantic-release'));",
      "const schema = require.resolve('herald-release/schema/herald.schema.json');",
      'console.log(JSON.stringify({ steps: Object.keys(plugin).sort(), schema }));',
    ].join('\n');
    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script]);
    expect(JSON.parse(stdout)).toEqual({
      steps: ['fail', 'generateNotes', 'success', 'verifyConditions'],
      schema: path.join(installed, 'schema', 'herald.schema.json'),
    });
  });

  it('imports as an ES module library', { timeout: 120_000 }, async () => {
    mkdirSync(path.join(project.dir, 'scripts'), { recursive: true });
    writeFileSync(
      path.join(project.dir, 'scripts', 'notes.mjs'),
      [
        "import { createCommitParser, nextVersion, HeraldError } from 'herald-release';",
        "console.log(JSON.stringify({ next: nextVersion('1.2.3', 'minor'), error: typeof HeraldError, parse: typeof createCommitParser }));",
      ].join('\n'),
    );
    const { stdout } = await run(process.execPath, ['scripts/notes.mjs']);
    expect(JSON.parse(stdout)).toEqual({ next: '1.3.0', error: 'function', parse: 'function' });
  });
});
