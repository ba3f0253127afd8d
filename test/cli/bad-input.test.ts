import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { TestRepo } from '../helpers/git-repo.js';

const repos: TestRepo[] = [];
function repo(): TestRepo {
  const r = new TestRepo();
  repos.push(r);
  return r;
}
afterEach(() => {
  for (const r of repos.splice(0)) r.remove();
});

const noStack = (text: string) => expect(text).not.toMatch(/\n\s+at .+:\d+:\d+/);

describe('bad input', () => {
  it('outside a git repository: ENOTGITREPO, exit 2', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'herald-nogit-'));
    try {
      const { code, stderr } = await runCli(['notes', '--cwd', dir], {
        env: { GIT_CEILING_DIRECTORIES: path.dirname(dir) },
      });
      expect(code).toBe(2);
      expect(stderr).toContain('error ENOTGITREPO');
      expect(stderr).toContain('fix:');
      noStack(stderr);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a repository without commits: ENOCOMMITS, exit 2', async () => {
    const r = repo();
    const { code, stderr } = await runCli(['notes', '--cwd', r.dir]);
    expect(code).toBe(2);
    expect(stderr).toContain('ENOCOMMITS');
  });

  it('no commits since the last tag: says there is nothing to release, exit 0', async () => {
    const r = repo();
    r.commit('feat: a');
    r.tag('v1.0.0');
    const { code, stderr, stdout } = await runCli(['notes', '--cwd', r.dir, '--to', 'HEAD']);
    // HEAD is the tagged release itself: its notes render.
    expect(code).toBe(0);
    expect(stdout).toContain('## 1.0.0');
    r.commit('chore: tidy');
    const chores = await runCli(['notes', '--cwd', r.dir]);
    expect(chores.code).toBe(0);
    expect(chores.stderr).toContain(
      'Nothing to release: no release-worthy changes since v1.0.0 (only chore)',
    );
    expect(chores.stdout).toBe('');
    const empty = await runCli(['notes', '--cwd', r.dir, '--from', 'HEAD']);
    expect(empty.code).toBe(0);
    expect(empty.stderr).toContain('Nothing to release: no commits to release since HEAD');
    const json = await runCli(['notes', '--cwd', r.dir, '--from', 'HEAD', '--json']);
    expect(JSON.parse(json.stdout)).toMatchObject({ ok: true, release: null });
    expect(stderr).toBe('');
  });

  it('an unknown ref: EUNKNOWNREF, exit 2, and refs cannot smuggle options into git', async () => {
    const r = repo();
    r.commit('feat: a');
    for (const ref of ['does-not-exist', '--output=/tmp/pwned']) {
      const { code, stderr } = await runCli(['notes', '--cwd', r.dir, `--to=${ref}`]);
      expect(code).toBe(2);
      expect(stderr).toContain('EUNKNOWNREF');
      noStack(stderr);
    }
  });

  it('malformed, empty, binary, huge and non-UTF-8 messages never crash', async () => {
    const r = repo();
    r.commit('feat: good one');
    r.commit('');
    r.commit('   \n\n  ');
    r.commit('fix(: broken header');
    r.commit('feat(scope with spaces)!!: odd');
    r.commitBytes(
      Buffer.from([
        0x66, 0x69, 0x78, 0x3a, 0x20, 0xff, 0xfe, 0x80, 0x20, 0x6c, 0x61, 0x74, 0x69, 0x6e, 0x31, 0x20, 0xe9,
      ]),
    );
    r.commitBytes(
      Buffer.concat([
        Buffer.from('fix: binary junk '),
        Buffer.from(Array.from({ length: 2048 }, (_, i) => (i % 254) + 1)),
      ]),
    );
    r.commit(`fix: enormous message\n\n${'lorem ipsum '.repeat(900_000)}\n\nCloses #77`);
    const { code, stdout, stderr } = await runCli([
      'notes',
      '--cwd',
      r.dir,
      '--audience',
      'internal',
      '--json',
    ]);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const notes = JSON.parse(stdout).notes;
    const texts = notes.sections.flatMap((s: { entries: { text: string }[] }) =>
      s.entries.map((e) => e.text),
    );
    expect(texts).toContain('Good one');
    expect(texts).toContain('Enormous message');
    // git re-encodes a message that is not UTF-8 (as Latin-1); what arrives is always valid text.
    expect(texts.some((t: string) => t.includes('latin1') && t.includes('é'))).toBe(true);
    expect(notes.linked).toContainEqual({ text: '#77', url: null });
  });

  it('invalid config: every problem listed with file, line and fix, exit 2', async () => {
    const r = repo();
    r.commit('feat: a');
    writeFileSync(
      path.join(r.dir, '.releaserc.json'),
      '{\n  "tagFormat": "v${version}",\n  "herald": {\n    "notes": { "nonConventional": "keep", "colour": "red" },\n    "issues": { "provider": "jira" }\n  }\n}\n',
    );
    const { code, stderr } = await runCli(['notes', '--cwd', r.dir]);
    expect(code).toBe(2);
    expect(stderr).toContain('error EINVALIDCONFIG');
    expect(stderr).toMatch(/\.releaserc\.json:4:\d+ herald\.notes\.nonConventional/);
    expect(stderr).toMatch(/\.releaserc\.json:4:\d+ herald\.notes\.colour {2}unknown setting "colour"/);
    expect(stderr).toMatch(/\.releaserc\.json:5:\d+ herald\.issues\.provider/);
    noStack(stderr);
    writeFileSync(path.join(r.dir, '.releaserc.json'), '{\n  "herald": {,\n}\n');
    const syntax = await runCli(['notes', '--cwd', r.dir]);
    expect(syntax.code).toBe(2);
    expect(syntax.stderr).toMatch(/ECONFIGSYNTAX.*\n.*\.releaserc\.json:2:\d+/);
    const json = await runCli(['notes', '--cwd', r.dir, '--json']);
    expect(JSON.parse(json.stdout).error.code).toBe('ECONFIGSYNTAX');
  });

  it('a template that does not compile: file, line and reason', async () => {
    const r = repo();
    r.commit('feat: a');
    r.write('templates/customer.hbs', '## {{version}}\n\n{{#each sections}}\n### {{title}}\n{{/if}}\n');
    const { code, stderr } = await runCli(['notes', '--cwd', r.dir]);
    expect(code).toBe(2);
    expect(stderr).toContain('error ETEMPLATE');
    expect(stderr).toMatch(/templates\/customer\.hbs:\d+/);
    expect(stderr).toMatch(/each doesn't match if/);
  });

  it('a template referencing an unknown field: file, line, column and the field', async () => {
    const r = repo();
    r.commit('feat: a');
    r.write('templates/customer.hbs', '## {{version}}\n\n{{#each sections}}\n### {{titel}}\n{{/each}}\n');
    const { code, stderr } = await runCli(['notes', '--cwd', r.dir]);
    expect(code).toBe(2);
    expect(stderr).toContain('error ETEMPLATEFIELD');
    expect(stderr).toMatch(/templates\/customer\.hbs:4:\d+ {2}"titel" not defined/);
  });

  it('a partial overridden in the repository is used; a broken one is located', async () => {
    const r = repo();
    r.commit('feat: shiny');
    r.write('templates/partials/entry.hbs', '* NEW: {{text}}\n');
    expect((await runCli(['notes', '--cwd', r.dir])).stdout).toContain('* NEW: Shiny');
    r.write('templates/partials/entry.hbs', '* {{nope}}\n');
    const broken = await runCli(['notes', '--cwd', r.dir]);
    expect(broken.stderr).toMatch(/templates\/partials\/entry\.hbs:1:\d+ {2}"nope" not defined/);
  });

  it('bad usage: unknown command, unknown flag, unknown audience, invalid version: exit 2', async () => {
    const r = repo();
    r.commit('feat: a');
    for (const args of [
      ['frobnicate'],
      ['notes', '--frobnicate'],
      ['notes', '--audience', 'martians'],
      ['notes', '--release-version', 'one'],
    ]) {
      const { code, stderr } = await runCli([...args, '--cwd', r.dir]);
      expect(code, args.join(' ')).toBe(2);
      expect(stderr).toMatch(/error E[A-Z]+/);
      noStack(stderr);
    }
  });

  it('never prints secrets from the environment', async () => {
    const r = repo();
    r.commit('feat: a');
    r.git('remote', 'add', 'origin', 'https://ci-user:glpat-SECRETSECRET@gitlab.example.com/g/p.git');
    const { stdout, stderr } = await runCli(['notes', '--cwd', r.dir, '--to', 'ghp_TOKENVALUE123'], {
      env: { GITHUB_TOKEN: 'ghp_TOKENVALUE123' },
    });
    expect(stderr).toContain('[redacted]');
    expect(stdout + stderr).not.toContain('ghp_TOKENVALUE123');
    const notes = await runCli(['notes', '--cwd', r.dir, '--audience', 'internal']);
    expect(notes.stdout).not.toContain('SECRETSECRET');
    expect(notes.stdout).toContain('https://gitlab.example.com/g/p/-/commit/');
  });

  it('--help on every command and --version', async () => {
    for (const command of ['notes', 'changelog', 'schema']) {
      const { code, stdout } = await runCli([command, '--help']);
      expect(code).toBe(0);
      expect(stdout).toContain(`herald ${command}`);
    }
    const version = await runCli(['--version']);
    expect(version.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
  });
});
