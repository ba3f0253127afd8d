import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { cliPath, runCli } from '../helpers/cli.js';
import { TestRepo } from '../helpers/git-repo.js';

const bin = path.dirname(cliPath);

/** The files the built CLI loads before it runs anything: herald.js and its static imports, transitively. */
function staticClosure(file: string, seen = new Set<string>()): Set<string> {
  if (seen.has(file)) return seen;
  seen.add(file);
  const code = readFileSync(file, 'utf8');
  for (const match of code.matchAll(/(?:^|[;\s])import\s*(?:[^"';]*?from\s*)?"(\.{1,2}\/[^"]+)"/g))
    staticClosure(path.resolve(path.dirname(file), match[1]!), seen);
  return seen;
}

/** The source files bundled into these files, from their source maps. */
function sourcesOf(files: Iterable<string>): string[] {
  return [...files].flatMap(
    (file) => (JSON.parse(readFileSync(`${file}.map`, 'utf8')) as { sources: string[] }).sources,
  );
}

/** The chunk a source file was bundled into. */
function chunkOf(source: string): string {
  const dir = path.join(bin, 'chunks');
  const chunk = readdirSync(dir).find(
    (f) => f.endsWith('.js') && sourcesOf([path.join(dir, f)]).some((s) => s.endsWith(source)),
  );
  if (!chunk) throw new Error(`${source} is in no chunk`);
  return path.join(dir, chunk);
}

describe('start-up', () => {
  it('loads no command module, config schema or library before a command runs', async () => {
    const loaded = sourcesOf(staticClosure(path.join(bin, 'herald.js')));
    expect(loaded.some((s) => s.endsWith('src/cli/main.ts'))).toBe(true);
    const heavy = loaded.filter((s) =>
      /node_modules\/(zod|handlebars|semver|kysely|pg|unified|yaml)\/|src\/(config|stages|adapters)\/|src\/cli\/commands\/(notes|schema)\.ts/.test(
        s,
      ),
    );
    expect(heavy).toEqual([]);
  });

  it('`herald notes` loads the schema of the sections it reads, and no zod beyond zod/mini', () => {
    const loaded = sourcesOf(staticClosure(chunkOf('src/cli/commands/notes.ts')));
    expect(loaded.some((s) => s.endsWith('src/config/schema-notes.ts'))).toBe(true);
    const unread = loaded.filter((s) =>
      /src\/config\/(schema|schema-delivery|schema-trackers|validate-config)\.ts|node_modules\/zod\/v4\/(locales|classic)\/|node_modules\/jira\.js\//.test(
        s,
      ),
    );
    expect(unread).toEqual([]);
  });

  it('a setting `herald notes` does not read fails the command that reads it, located; a misspelt section fails both', async () => {
    const repo = new TestRepo();
    try {
      repo.commit('feat: one');
      repo.write('.releaserc', 'herald:\n  email:\n    from: Acme <releases@acme.example>\n');
      const notes = await runCli(['notes', '--cwd', repo.dir]);
      expect(notes.stderr).toBe('');
      expect(notes.code).toBe(0);
      const prepare = await runCli(['prepare', '--cwd', repo.dir]);
      expect(prepare.code).toBe(2);
      expect(prepare.stderr).toMatch(
        /\.releaserc:3:5 herald\.email\.from {2}expected an address like releases@acme\.example; the display name goes in `fromName`/,
      );
      repo.write('.releaserc', 'herald:\n  emial: {}\n');
      for (const command of ['notes', 'prepare']) {
        const result = await runCli([command, '--cwd', repo.dir]);
        expect({ command, code: result.code }).toEqual({ command, code: 2 });
        expect(result.stderr).toContain('.releaserc:2:3 herald.emial  unknown setting "emial"');
      }
    } finally {
      repo.remove();
    }
  });

  it('still answers help for the commands it loads on demand', async () => {
    const notes = await runCli(['notes', '--help']);
    expect(notes.code).toBe(0);
    expect(notes.stdout).toContain('Usage: herald notes');
    const changelog = await runCli(['help', 'changelog']);
    expect(changelog.stdout).toContain('Usage: herald changelog --rebuild');
    const schema = await runCli(['schema']);
    expect(JSON.parse(schema.stdout).title).toBe('Herald settings in .releaserc.json');
  });

  it('a typical `herald notes` starts five git processes: top level and shallow cut are one question, the target and the tags another', async () => {
    const repo = new TestRepo();
    try {
      repo.commit('feat: one');
      repo.tag('v1.0.0');
      repo.commit('fix: two');
      const trace = path.join(repo.dir, '.git', 'trace.txt');
      const result = await runCli(['notes', '--cwd', repo.dir], { env: { GIT_TRACE: trace } });
      expect(result.code).toBe(0);
      const commands = readFileSync(trace, 'utf8')
        .split('\n')
        .filter((line) => line.includes('trace: built-in: git '))
        .map((line) => line.replace(/.*built-in: git (\S+).*/, '$1'));
      expect(commands.filter((c) => c === 'rev-parse')).toHaveLength(1);
      expect(commands.filter((c) => c === 'for-each-ref')).toHaveLength(0);
      expect(commands).toHaveLength(5);
      expect(result.stdout).toContain('## 1.0.1 (');
      expect(result.stdout).toContain('- Two');
    } finally {
      repo.remove();
    }
  });

  it("the bundle's semver has every function src/ calls", () => {
    const shim = createRequire(import.meta.url)('../../scripts/semver-functions.cjs') as Record<
      string,
      unknown
    >;
    const called = new Set<string>();
    for (const file of readdirSync('src', { recursive: true, encoding: 'utf8' }).filter((f) =>
      f.endsWith('.ts'),
    ))
      for (const match of readFileSync(path.join('src', file), 'utf8').matchAll(/\bsemver\.([a-zA-Z]+)\b/g))
        called.add(match[1]!);
    expect(called.size).toBeGreaterThan(3);
    for (const name of called) expect(typeof shim[name], name).toBe('function');
  });

  it('`herald notes` runs from a bundle whose compiled code is cached on disk; a bad cache is replaced, never trusted', async () => {
    const repo = new TestRepo();
    const cacheRoot = mkdtempSync(path.join(tmpdir(), 'herald-code-cache-'));
    try {
      repo.commit('feat: one');
      repo.tag('v1.0.0');
      repo.commit('fix: two');
      const notes = (env: Record<string, string>) => runCli(['notes', '--cwd', repo.dir], { env });
      const cacheFiles = () => {
        try {
          return readdirSync(path.join(cacheRoot, 'herald')).map((f) => path.join(cacheRoot, 'herald', f));
        } catch {
          return [];
        }
      };
      const env = { NODE_COMPILE_CACHE: cacheRoot };

      // A failed run leaves no cache: the cache holds what a whole run compiled.
      expect((await runCli(['notes', '--cwd', repo.dir, '--audience', 'nobody'], { env })).code).toBe(2);
      expect(cacheFiles()).toEqual([]);

      const first = await notes(env);
      expect(first.code).toBe(0);
      expect(first.stdout).toContain('- Two');
      const [cache] = cacheFiles();
      expect(path.basename(cache!)).toMatch(
        new RegExp(`^code-[0-9a-f]{16}-${process.version}-${process.arch}\\.v8$`),
      );
      const written = statSync(cache!);

      // Read, not written again (a rewrite renames a new file into place: a new inode).
      const second = await notes(env);
      expect(second).toEqual(first);
      expect(statSync(cache!).ino).toBe(written.ino);

      // A corrupt cache: V8 rejects it, the run is the same, and a good cache replaces it.
      writeFileSync(cache!, 'not a V8 code cache');
      const third = await notes(env);
      expect(third).toEqual(first);
      expect(statSync(cache!).size).toBeGreaterThan(written.size / 2);
      expect(readFileSync(cache!, 'utf8')).not.toBe('not a V8 code cache');

      // Caches of other builds: the newest few stay, older ones go when a cache is written.
      const others = Array.from({ length: 10 }, (_, i) => path.join(cacheRoot, 'herald', `code-old${i}.v8`));
      others.forEach((file, i) => {
        writeFileSync(file, 'old');
        utimesSync(file, new Date(2020, 0, 1 + i), new Date(2020, 0, 1 + i));
      });
      rmSync(cache!);
      expect(await notes(env)).toEqual(first);
      expect(
        cacheFiles()
          .map((f) => path.basename(f))
          .sort(),
      ).toEqual([path.basename(cache!), ...others.slice(3).map((f) => path.basename(f))].sort());

      // Turned off as in Node 22, or nowhere to write: the same notes, no cache.
      rmSync(path.join(cacheRoot, 'herald'), { recursive: true });
      expect(await notes({ ...env, NODE_DISABLE_COMPILE_CACHE: '1' })).toEqual(first);
      expect(cacheFiles()).toEqual([]);
      writeFileSync(path.join(cacheRoot, 'herald'), 'a file where the cache directory would be');
      expect(await notes(env)).toEqual(first);
    } finally {
      repo.remove();
      rmSync(cacheRoot, { recursive: true, force: true });
    }
  });

  it('the fast bundle leaves out the Markdown toolchain and diff: notes --html and changelog --dry-run run in the full build', async () => {
    const fast = sourcesOf([path.join(bin, 'notes.cjs')]);
    expect(fast.some((s) => s.endsWith('src/cli/commands/notes.ts'))).toBe(true);
    expect(fast.filter((s) => /node_modules\/(micromark|parse5|unified|diff)\//.test(s))).toEqual([]);
    const repo = new TestRepo();
    try {
      repo.commit('feat: one <b>bold</b>');
      const html = await runCli(['notes', '--html', '--cwd', repo.dir]);
      expect(html.stderr).toBe('');
      expect(html.stdout).toMatch(/<h2[^>]*>1\.0\.0 \(/);
      expect(html.stdout).toContain('&#x3C;b>bold&#x3C;/b>');
      const dryRun = await runCli(['changelog', '--rebuild', '--dry-run', '--cwd', repo.dir]);
      expect(dryRun.stderr).toBe('');
      expect(dryRun.stdout).toMatch(/^\+\+\+ b\/.*CHANGELOG\.md$/m);
      expect(dryRun.stdout).toContain('+# Changelog');
    } finally {
      repo.remove();
    }
  });
});
