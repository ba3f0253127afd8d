import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { runCli } from '../helpers/cli.js';
import { noCi } from './ci-env.js';
import { CiProject } from './ci-project.js';
import { type Contexts, checkoutDepth, condition, runJob, type Workflow } from './workflow-runner.js';

const exec = promisify(execFile);
const root = path.resolve(fileURLToPath(new URL('../..', import.meta.url)));
const reusablePath = path.join(root, '.github', 'workflows', 'herald.yml');

/** The copy-paste workflow: the YAML block under "### GitHub Actions" in the README. */
function readmeWorkflow(): string {
  const readme = readFileSync(path.join(root, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('### GitHub Actions'));
  const block = /```yaml\n([\s\S]*?)```/.exec(section);
  if (!block?.[1]) throw new Error('no workflow in the README');
  return block[1];
}

let dir: string;
let project: CiProject;
const secrets = () => ({ HERALD_DATABASE_URL: project.store });
const tagPush: Contexts['github'] = { event_name: 'push', ref_name: 'v1.1.0', ref_type: 'tag' };
const scheduled: Contexts['github'] = { event_name: 'schedule', ref_name: 'main', ref_type: 'branch' };

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'herald-gha-'));
  project = new CiProject({});
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
  project.remove();
});

async function list() {
  const result = await runCli(['list', '--json', '--all'], {
    cwd: project.origin.dir,
    env: { ...noCi, HERALD_DATABASE_URL: project.store },
  });
  return JSON.parse(result.stdout).bundles as { version: string; status: string }[];
}

/** Runs every job whose `if:` holds for the event, each in a fresh checkout, as runners do. */
async function runEvent(workflow: Workflow, contexts: Contexts) {
  const ran: Record<string, string[]> = {};
  for (const [name, job] of Object.entries(workflow.jobs)) {
    if (!condition(job.if, contexts)) continue;
    const depth = checkoutDepth(job);
    const checkout = project.clone(depth === 0 ? undefined : depth);
    ran[name] = (await runJob(workflow, name, contexts, checkout, project.baseEnv())).ran;
  }
  return ran;
}

describe('GitHub Actions', () => {
  it('the README workflow and the reusable one are valid workflows (action-validator)', {
    timeout: 120_000,
  }, async () => {
    const file = path.join(dir, 'readme-workflow.yml');
    writeFileSync(file, readmeWorkflow());
    for (const workflow of [file, reusablePath]) {
      const result = await exec(process.execPath, [
        path.join(root, 'node_modules', '.bin', 'action-validator'),
        workflow,
      ]).then(
        () => ({ code: 0, output: '' }),
        (error: { code: number; stdout: string }) => ({ code: error.code, output: error.stdout }),
      );
      expect(result, workflow).toEqual({ code: 0, output: '' });
    }
    // The validator itself refuses a broken workflow (so the check above can fail).
    writeFileSync(file, readmeWorkflow().replace('runs-on:', 'runs_on:'));
    await expect(exec(path.join(root, 'node_modules', '.bin', 'action-validator'), [file])).rejects.toThrow();
  });

  it('the README workflow: prepare on a tag push with the whole history, announce on the schedule and by hand', {
    timeout: 120_000,
  }, async () => {
    const workflow = parse(readmeWorkflow()) as Workflow;
    expect(workflow.on).toMatchObject({
      push: { tags: ['v*'] },
      schedule: [{ cron: '*/5 * * * *' }],
      workflow_dispatch: null,
    });
    expect(workflow.env?.HERALD_DATABASE_URL).toBe('${{ secrets.HERALD_DATABASE_URL }}');

    const pushed = await runEvent(workflow, { github: tagPush, secrets: secrets() });
    expect(Object.keys(pushed)).toEqual(['prepare']);
    expect(await list()).toEqual([expect.objectContaining({ version: '1.1.0', status: 'draft' })]);

    // The release manager schedules it, from their machine, against the same store.
    const schedule = await runCli(['schedule', '1.1.0', '--now'], {
      cwd: project.origin.dir,
      env: { ...noCi, HERALD_DATABASE_URL: project.store },
    });
    expect(schedule.code, schedule.stderr).toBe(0);

    const announced = await runEvent(workflow, { github: scheduled, secrets: secrets() });
    expect(Object.keys(announced)).toEqual(['announce']);
    expect(await list()).toEqual([expect.objectContaining({ version: '1.1.0', status: 'announced' })]);
    const byHand = await runEvent(workflow, {
      github: { ...scheduled, event_name: 'workflow_dispatch' },
      secrets: secrets(),
    });
    expect(Object.keys(byHand)).toEqual(['announce']);
  });

  it('the reusable workflow: the same two commands, chosen by its input', { timeout: 120_000 }, async () => {
    const workflow = parse(readFileSync(reusablePath, 'utf8')) as Workflow;
    expect(Object.keys(workflow.on)).toEqual(['workflow_call']);
    project.origin.commit('feat: audit log export');
    project.origin.tag('v1.2.0');
    project.origin.git('push', '-q', `file://${project.remote}`, 'main', 'v1.2.0');
    const prepared = await runEvent(workflow, {
      github: { ...tagPush, ref_name: 'v1.2.0' },
      inputs: { command: 'prepare', 'node-version': '20', 'working-directory': '.' },
      secrets: secrets(),
    });
    expect(prepared.herald).toEqual(expect.arrayContaining(['npx herald prepare --to "$GITHUB_REF_NAME"']));
    expect((await list()).find((b) => b.version === '1.2.0')).toMatchObject({ status: 'draft' });
    const announced = await runEvent(workflow, {
      github: scheduled,
      inputs: { command: 'announce', 'node-version': '20', 'working-directory': '.' },
      secrets: secrets(),
    });
    expect(announced.herald).toEqual(expect.arrayContaining(['npx herald announce']));
    expect(announced.herald).not.toEqual(
      expect.arrayContaining(['npx herald prepare --to "$GITHUB_REF_NAME"']),
    );
  });
});
