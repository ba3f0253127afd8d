import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliPath, runCli } from '../helpers/cli.js';
import { TestRepo } from '../helpers/git-repo.js';
import { githubActions, gitlabCi, noCi } from './ci-env.js';

const exec = promisify(execFile);
let origin: TestRepo;
let dir: string;

beforeAll(() => {
  origin = new TestRepo('herald-ci-');
  origin.commit('feat: invoices as CSV');
  origin.tag('v1.0.0');
  origin.commit('fix: rounding of totals');
  origin.commit('feat: audit log export');
  dir = mkdtempSync(path.join(tmpdir(), 'herald-ci-clones-'));
  execFileSync('git', ['clone', '-q', '--bare', origin.dir, path.join(dir, 'remote.git')]);
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
  origin.remove();
});

describe('CI awareness', () => {
  it('names the CI run and who started it in the audit log', { timeout: 120_000 }, async () => {
    const cases = [
      { env: githubActions, version: '1.1.0', actor: 'GitHub Actions (run 123 by ada)' },
      { env: gitlabCi, version: '1.2.0', actor: 'GitLab CI (run 77 by grace)' },
    ];
    for (const { env, version, actor } of cases) {
      const prepared = await runCli(['prepare', '--release-version', version, '--no-docs'], {
        cwd: origin.dir,
        env,
      });
      expect(prepared.code, prepared.stderr).toBe(0);
      const log = await runCli(['log', version, '--json'], { cwd: origin.dir, env: noCi });
      expect(JSON.parse(log.stdout).entries[0]).toMatchObject({ actor });
    }
  });

  it('points a shallow clone at the checkout setting of the CI it runs in, and only that one', {
    timeout: 120_000,
  }, async () => {
    const clone = path.join(dir, 'depth1');
    execFileSync('git', ['clone', '-q', '--depth', '1', `file://${path.join(dir, 'remote.git')}`, clone]);
    const github = await runCli(['notes'], { cwd: clone, env: githubActions });
    expect(github.code).toBe(2);
    expect(github.stderr).toContain('ESHALLOW');
    expect(github.stderr).toContain('GitHub Actions: give `actions/checkout` `with: fetch-depth: 0`');
    expect(github.stderr).not.toContain('GIT_DEPTH');
    const gitlab = await runCli(['prepare'], { cwd: clone, env: gitlabCi });
    expect(gitlab.code).toBe(2);
    expect(gitlab.stderr).toContain('GitLab CI: set the variable `GIT_DEPTH: 0`');
    expect(gitlab.stderr).not.toContain('fetch-depth');
    const laptop = await runCli(['notes'], { cwd: clone, env: noCi });
    expect(laptop.stderr).toContain('fetch-depth: 0');
    expect(laptop.stderr).toContain('GIT_DEPTH: 0');
  });

  it('draws no terminal bar in CI, even when the CI gives the job a terminal', {
    timeout: 120_000,
  }, async () => {
    // `script` runs announce on a pseudo-terminal, as some CIs (and a person) do.
    const announceOnTerminal = async (env: Record<string, string | undefined>, version: string) => {
      const repo = new TestRepo('herald-ci-progress-');
      try {
        repo.commit('feat: invoices as CSV');
        const prepared = await runCli(['prepare', '--release-version', version, '--no-docs'], {
          cwd: repo.dir,
          env: noCi,
        });
        expect(prepared.code, prepared.stderr).toBe(0);
        expect((await runCli(['schedule', version, '--now'], { cwd: repo.dir, env: noCi })).code).toBe(0);
        const { stdout } = await exec(
          'script',
          ['-qec', `"${process.execPath}" "${cliPath}" announce`, '/dev/null'],
          {
            cwd: repo.dir,
            env: { ...process.env, NO_COLOR: '1', ...env } as NodeJS.ProcessEnv,
          },
        );
        return stdout;
      } finally {
        repo.remove();
      }
    };
    const terminal = await announceOnTerminal(noCi, '1.0.0');
    expect(terminal).toContain(`Announced`);
    expect(terminal).toContain('\r\x1b[2K');
    const ci = await announceOnTerminal(githubActions, '1.0.0');
    expect(ci).toContain(`Announced`);
    expect(ci).not.toContain('\x1b[2K');
  });
});
