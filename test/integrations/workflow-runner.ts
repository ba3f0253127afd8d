import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';

const exec = promisify(execFile);

/**
 * Runs one GitHub Actions job of a workflow the way a runner does, as far as the `run:` steps
 * go: expressions (`${{ secrets.X }}`, `${{ inputs.x }}`, `${{ github.x }}`) substituted, the job's
 * `if:` and each step's `if:` evaluated, the environment layered (workflow, job, step, plus the
 * runner's GITHUB_* variables and the GITHUB_ENV file), each step run by `bash -e -o pipefail`
 * in the job's working directory. `uses:` steps are GitHub's actions: the checkout is the clone
 * the caller passes (made with the depth the checkout step asks for); the others are skipped.
 * Expressions beyond a path or a single `==`/`!=` comparison are refused, so a workflow change
 * that this runner would misread fails the test instead.
 */
export interface Contexts {
  github: Record<string, string>;
  inputs?: Record<string, string>;
  secrets?: Record<string, string>;
}

interface Step {
  name?: string;
  uses?: string;
  run?: string;
  if?: string;
  env?: Record<string, string>;
  with?: Record<string, unknown>;
}

export interface Job {
  if?: string;
  env?: Record<string, string>;
  defaults?: { run?: { 'working-directory'?: string } };
  steps: Step[];
}

export interface Workflow {
  on: Record<string, unknown>;
  env?: Record<string, string>;
  jobs: Record<string, Job>;
}

function lookup(expression: string, contexts: Contexts): string {
  const match = /^(github|inputs|secrets)\.([A-Za-z_][\w-]*)$/.exec(expression.trim());
  if (!match) throw new Error(`the test runner does not evaluate \`${expression}\``);
  const [, context, name] = match as unknown as [string, keyof Contexts, string];
  return contexts[context]?.[name] ?? '';
}

export function substitute(text: string, contexts: Contexts): string {
  return text.replace(/\$\{\{(.*?)\}\}/g, (_, expression: string) => lookup(expression, contexts));
}

export function condition(expression: string | undefined, contexts: Contexts): boolean {
  if (expression === undefined) return true;
  const bare = expression.replace(/^\$\{\{(.*)\}\}$/s, '$1').trim();
  const comparison = /^(\S+)\s*(==|!=)\s*'([^']*)'$/.exec(bare);
  if (!comparison) return lookup(bare, contexts) !== '';
  const [, left, operator, right] = comparison as unknown as [string, string, string, string];
  return (lookup(left, contexts) === right) === (operator === '==');
}

const substituteAll = (env: Record<string, string> | undefined, contexts: Contexts) =>
  Object.fromEntries(Object.entries(env ?? {}).map(([k, v]) => [k, substitute(String(v), contexts)]));

/** The fetch depth the job's checkout step asks for (actions/checkout's default is 1). */
export function checkoutDepth(job: Job): number {
  const checkout = job.steps.find((s) => s.uses?.startsWith('actions/checkout@'));
  if (!checkout) throw new Error('the job checks out nothing');
  return Number(checkout.with?.['fetch-depth'] ?? 1);
}

export async function runJob(
  workflow: Workflow,
  jobName: string,
  contexts: Contexts,
  checkout: string,
  baseEnv: Record<string, string | undefined>,
): Promise<{ ran: string[]; log: string }> {
  const job = workflow.jobs[jobName];
  if (!job) throw new Error(`no job ${jobName}`);
  const githubEnv = path.join(checkout, '..', `${path.basename(checkout)}.github-env`);
  writeFileSync(githubEnv, '');
  const env: Record<string, string | undefined> = {
    ...process.env,
    ...baseEnv,
    CI: 'true',
    GITHUB_ACTIONS: 'true',
    GITHUB_RUN_ID: '4711',
    GITHUB_ACTOR: 'ada',
    GITHUB_WORKSPACE: checkout,
    GITHUB_ENV: githubEnv,
    GITHUB_EVENT_NAME: contexts.github.event_name,
    GITHUB_REF_NAME: contexts.github.ref_name,
    GITHUB_REF_TYPE: contexts.github.ref_type,
    ...substituteAll(workflow.env, contexts),
    ...substituteAll(job.env, contexts),
  };
  const cwd = path.resolve(checkout, substitute(job.defaults?.run?.['working-directory'] ?? '.', contexts));
  const ran: string[] = [];
  let log = '';
  for (const step of job.steps) {
    if (step.run === undefined || !condition(step.if, contexts)) continue;
    // Lines a step appended to GITHUB_ENV are in the environment of the steps after it.
    for (const line of readFileSync(githubEnv, 'utf8').split('\n').filter(Boolean)) {
      const at = line.indexOf('=');
      env[line.slice(0, at)] = line.slice(at + 1);
    }
    const script = substitute(step.run, contexts);
    ran.push(script.trim());
    try {
      const { stdout, stderr } = await exec(
        'bash',
        ['--noprofile', '--norc', '-e', '-o', 'pipefail', '-c', script],
        {
          cwd,
          env: { ...env, ...substituteAll(step.env, contexts) } as NodeJS.ProcessEnv,
        },
      );
      log += stdout + stderr;
    } catch (error) {
      const failed = error as { stdout?: string; stderr?: string; code?: number };
      throw new Error(
        `step "${step.name ?? script}" exited ${failed.code}:\n${log}${failed.stdout}${failed.stderr}`,
      );
    }
  }
  return { ran, log };
}
