// What bench/notes.mjs and bench/changelog.mjs share: writing a generated history into a
// repository with one `git fast-import`, and timing a command in it with its peak RSS.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const timeBin = existsSync('/usr/bin/time') ? '/usr/bin/time' : null;

/** Imports a fast-import stream (strings and Buffers) into `repo`, checks out main, marks it ready. */
export function fastImport(repo, chunks) {
  const input = Buffer.concat(chunks.map((c) => (typeof c === 'string' ? Buffer.from(c) : c)));
  execFileSync('git', ['fast-import', '--quiet'], { cwd: repo, input, maxBuffer: 1 << 30 });
  execFileSync('git', ['checkout', '-q', '-f', 'main'], { cwd: repo });
  writeFileSync(path.join(repo, '.git', 'herald-bench-ok'), '');
}

/** One run of `command` in `repo`: wall time, peak RSS (NaN without /usr/bin/time), output size. */
export function measureIn(repo, command, args) {
  const full = timeBin ? [timeBin, ['-f', '%M', command, ...args]] : [command, args];
  const started = process.hrtime.bigint();
  const result = spawnSync(full[0], full[1], { cwd: repo, maxBuffer: 1 << 30, encoding: 'buffer' });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed: ${result.stderr}`);
  const rssKb = timeBin ? Number(result.stderr.toString().trim().split('\n').pop()) : Number.NaN;
  return { ms, rssMb: rssKb / 1024, bytes: result.stdout.length };
}
