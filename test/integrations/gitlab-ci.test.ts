import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { runCli } from '../helpers/cli.js';
import { noCi } from './ci-env.js';
import { CiProject } from './ci-project.js';

/**
 * The GitLab CI template, included from a project's .gitlab-ci.yml, run by gitlab-ci-local (a
 * GitLab pipeline emulator from npm) with its shell executor: every job runs in a shell on this
 * machine, no Docker. gitlab-ci-local copies the tracked files with rsync, which must be installed.
 */
const exec = promisify(execFile);
const root = path.resolve(fileURLToPath(new URL('../..', import.meta.url)));
const template = readFileSync(path.join(root, 'templates', 'ci', 'herald.gitlab-ci.yml'), 'utf8');
const gitlabCiLocal = path.join(root, 'node_modules', 'gitlab-ci-local', 'dist', 'index.js');
let project: CiProject;

beforeAll(() => {
  project = new CiProject({
    '.gitlab-ci.yml': 'include:\n  - local: ci/herald.gitlab-ci.yml\n',
    'ci/herald.gitlab-ci.yml': template,
  });
});
afterAll(() => project.remove());

/** One pipeline in a fresh checkout: every job whose rules hold, as GitLab would pick them. */
async function pipeline(variables: Record<string, string>) {
  const checkout = project.clone();
  const flags = Object.entries({ ...variables, HERALD_DATABASE_URL: project.store }).flatMap(([k, v]) => [
    '--variable',
    `${k}=${v}`,
  ]);
  const { stdout, stderr } = await exec(
    process.execPath,
    [gitlabCiLocal, '--force-shell-executor', ...flags],
    {
      cwd: checkout,
      env: { ...process.env, ...noCi, ...project.baseEnv() } as NodeJS.ProcessEnv,
    },
  ).catch((error: { stdout: string; stderr: string }) => {
    throw new Error(`gitlab-ci-local failed:\n${error.stdout}\n${error.stderr}`);
  });
  return stdout + stderr;
}

async function list() {
  const result = await runCli(['list', '--json', '--all'], {
    cwd: project.origin.dir,
    env: { ...noCi, HERALD_DATABASE_URL: project.store },
  });
  return JSON.parse(result.stdout).bundles as { version: string; status: string }[];
}

describe('GitLab CI template', () => {
  it('prepares with the full history in tag pipelines and announces in scheduled ones', {
    timeout: 180_000,
  }, async () => {
    const jobs = parse(template) as Record<
      string,
      { variables?: Record<string, unknown>; rules?: unknown[] }
    >;
    expect(jobs['herald:prepare']).toMatchObject({
      variables: { GIT_DEPTH: 0 },
      rules: [{ if: '$CI_COMMIT_TAG' }],
    });
    expect(jobs['herald:announce']).toMatchObject({ rules: [{ if: '$CI_PIPELINE_SOURCE == "schedule"' }] });

    const tagged = await pipeline({ CI_COMMIT_TAG: 'v1.1.0' });
    expect(tagged).toMatch(/PASS\s+herald:prepare/);
    expect(tagged).not.toContain('herald:announce');
    expect(await list()).toEqual([expect.objectContaining({ version: '1.1.0', status: 'draft' })]);

    // Nothing is due yet: a scheduled pipeline announces nothing.
    const early = await pipeline({ CI_PIPELINE_SOURCE: 'schedule' });
    expect(early).toMatch(/PASS\s+herald:announce/);
    expect(early).toContain('Nothing is due');
    expect(early).not.toContain('herald:prepare');

    const schedule = await runCli(['schedule', '1.1.0', '--now'], {
      cwd: project.origin.dir,
      env: { ...noCi, HERALD_DATABASE_URL: project.store },
    });
    expect(schedule.code, schedule.stderr).toBe(0);
    const due = await pipeline({ CI_PIPELINE_SOURCE: 'schedule' });
    expect(due).toMatch(/PASS\s+herald:announce/);
    expect(await list()).toEqual([expect.objectContaining({ version: '1.1.0', status: 'announced' })]);

    // A branch push runs neither job.
    const pushed = await pipeline({});
    expect(pushed).not.toContain('herald:');
  });
});
