import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { cliPath } from '../helpers/cli.js';
import { TestRepo } from '../helpers/git-repo.js';

/**
 * A project as a CI job sees it: a repository with a package.json and lock file (no dependencies,
 * so `npm ci` runs offline), its release config and CI files, release tags, and a bare origin to
 * clone fresh for every job, as runners do. Herald is "installed globally" from this checkout
 * (npm's prefix, which `npx herald` consults after the project's own bins), instead of from the
 * registry. The store is a file outside every clone: the one thing jobs share.
 */
export class CiProject {
  readonly dir = mkdtempSync(path.join(tmpdir(), 'herald-ci-project-'));
  readonly origin = new TestRepo('herald-ci-origin-');
  readonly remote = path.join(this.dir, 'remote.git');
  readonly npmPrefix = path.join(this.dir, 'npm-global');
  readonly store = path.join(this.dir, 'store', 'state.db');
  private clones = 0;

  constructor(files: Record<string, string>) {
    mkdirSync(path.join(this.npmPrefix, 'bin'), { recursive: true });
    symlinkSync(cliPath, path.join(this.npmPrefix, 'bin', 'herald'));
    mkdirSync(path.dirname(this.store));
    const lock = {
      name: 'acme-cloud',
      version: '1.0.0',
      lockfileVersion: 3,
      requires: true,
      packages: { '': { name: 'acme-cloud', version: '1.0.0' } },
    };
    this.origin.commit('chore: project setup', {
      files: {
        'package.json': `${JSON.stringify({ name: 'acme-cloud', version: '1.0.0', private: true }, null, 2)}\n`,
        'package-lock.json': `${JSON.stringify(lock, null, 2)}\n`,
        '.releaserc.json': `${JSON.stringify({ herald: { product: 'Acme Cloud', docs: false } }, null, 2)}\n`,
        '.gitignore': 'node_modules/\n.herald/\n.gitlab-ci-local/\n',
        ...files,
      },
    });
    this.origin.commit('feat(billing): export invoices as CSV');
    this.origin.tag('v1.0.0');
    this.origin.commit('feat: dark mode for the web app');
    this.origin.commit('fix(api): return 404 instead of 500 for unknown projects');
    this.origin.tag('v1.1.0');
    execFileSync('git', ['clone', '-q', '--bare', this.origin.dir, this.remote]);
  }

  /** A fresh checkout, as a new runner makes one (`depth`: a shallow one). */
  clone(depth?: number): string {
    const target = path.join(this.dir, `job-${++this.clones}`);
    const flags = depth === undefined ? [] : ['--depth', String(depth)];
    execFileSync('git', ['clone', '-q', ...flags, `file://${this.remote}`, target]);
    return target;
  }

  /** What every job gets besides the CI's own variables: Herald on npx's path, no CI of the host. */
  baseEnv(): Record<string, string | undefined> {
    return { npm_config_prefix: this.npmPrefix, npm_config_update_notifier: 'false', NO_COLOR: '1' };
  }

  remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
    this.origin.remove();
  }
}
