import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

export interface CommitOptions {
  files?: Record<string, string>;
  author?: string;
  email?: string;
}

/**
 * A real git repository in a temp dir, with pinned dates so output is reproducible: each commit
 * is one minute after the previous one, starting 2026-01-01 10:00 UTC.
 */
export class TestRepo {
  readonly dir: string;
  private tick = 0;

  constructor(prefix = 'herald-repo-') {
    this.dir = mkdtempSync(path.join(tmpdir(), prefix));
    this.git('init', '-q', '-b', 'main');
    this.git('config', 'user.name', 'Test User');
    this.git('config', 'user.email', 'test@example.com');
    this.git('config', 'commit.gpgsign', 'false');
    this.git('config', 'tag.gpgsign', 'false');
  }

  private nextDate(): string {
    const date = new Date(Date.UTC(2026, 0, 1, 10, 0, 0) + this.tick++ * 60_000);
    return date.toISOString().replace('.000Z', '+00:00');
  }

  git(...args: string[]): string {
    const date = this.nextDate();
    return execFileSync('git', args, {
      cwd: this.dir,
      encoding: 'utf8',
      env: { ...process.env, GIT_AUTHOR_DATE: date, GIT_COMMITTER_DATE: date, LC_ALL: 'C' },
      maxBuffer: 1024 * 1024 * 64,
    }).trim();
  }

  /** Commits with the given message; touches a file so the commit is never empty. */
  commit(message: string, options: CommitOptions = {}): string {
    const files = options.files ?? { [`file-${this.tick}.txt`]: `${this.tick}\n` };
    for (const [name, content] of Object.entries(files)) {
      const full = path.join(this.dir, name);
      mkdirSync(path.dirname(full), { recursive: true });
      writeFileSync(full, content);
      this.git('add', '--', name);
    }
    const file = path.join(this.dir, '.git', 'HERALD_TEST_MSG');
    writeFileSync(file, message);
    const args = ['commit', '-q', '--allow-empty', '--allow-empty-message', '--cleanup=verbatim', '-F', file];
    if (options.author) args.push(`--author=${options.author} <${options.email ?? 'someone@example.com'}>`);
    this.git(...args);
    return this.head();
  }

  /** Commits raw bytes as the message (non-UTF-8, binary junk). */
  commitBytes(message: Buffer): string {
    const file = path.join(this.dir, '.git', 'HERALD_TEST_MSG');
    writeFileSync(file, message);
    writeFileSync(path.join(this.dir, `bytes-${this.tick}.txt`), 'x');
    this.git('add', '-A');
    const result = spawnSync('git', ['commit', '-q', '--cleanup=verbatim', '-F', file], {
      cwd: this.dir,
      env: { ...process.env, GIT_AUTHOR_DATE: this.nextDate(), GIT_COMMITTER_DATE: this.nextDate() },
    });
    if (result.status !== 0) throw new Error(result.stderr.toString());
    return this.head();
  }

  tag(name: string, ref = 'HEAD', annotated = true): void {
    if (annotated) this.git('tag', '-a', name, '-m', `release ${name}`, ref);
    else this.git('tag', name, ref);
  }

  head(): string {
    return this.git('rev-parse', 'HEAD');
  }

  checkout(...args: string[]): void {
    this.git('checkout', '-q', ...args);
  }

  /** A merge commit with the message GitHub writes for a merged pull request. */
  mergePullRequest(branch: string, number: number, title: string, into = 'main'): string {
    this.checkout(into);
    this.git(
      'merge',
      '-q',
      '--no-ff',
      branch,
      '-m',
      `Merge pull request #${number} from acme/${branch}`,
      '-m',
      title,
    );
    return this.head();
  }

  write(name: string, content: string): void {
    const full = path.join(this.dir, name);
    mkdirSync(path.dirname(full), { recursive: true });
    writeFileSync(full, content);
  }

  remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}
