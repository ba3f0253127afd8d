import ci from 'ci-info';

/**
 * The CI Herald runs in, as the `ci-info` package detects it from the environment (it reads
 * `process.env` once, when loaded). Only the commands that write the audit log, draw progress or
 * report a shallow clone load this module: `herald notes` starts without it.
 */
export interface DetectedCi {
  /** ci-info's vendor constant (`GITHUB_ACTIONS`, `GITLAB`, …), null for a CI it cannot name. */
  id: string | null;
  /** Its display name (`GitHub Actions`), null when unknown. */
  name: string | null;
}

export function detectCi(): DetectedCi | null {
  if (!ci.isCI) return null;
  return { id: ci.id ?? null, name: ci.name ?? null };
}

type Env = Readonly<Record<string, string | undefined>>;

/** Per vendor: the variables naming the run and the person who started it. */
const RUN_VARIABLES: Record<string, { run: string[]; user: string[] }> = {
  GITHUB_ACTIONS: { run: ['GITHUB_RUN_ID'], user: ['GITHUB_TRIGGERING_ACTOR', 'GITHUB_ACTOR'] },
  GITLAB: { run: ['CI_PIPELINE_ID', 'CI_JOB_ID'], user: ['GITLAB_USER_LOGIN', 'GITLAB_USER_NAME'] },
  BUILDKITE: { run: ['BUILDKITE_BUILD_NUMBER'], user: ['BUILDKITE_BUILD_CREATOR'] },
  CIRCLE: { run: ['CIRCLE_BUILD_NUM'], user: ['CIRCLE_USERNAME'] },
  AZURE_PIPELINES: { run: ['BUILD_BUILDID'], user: ['BUILD_REQUESTEDFOR'] },
  BITBUCKET: { run: ['BITBUCKET_BUILD_NUMBER'], user: [] },
  TRAVIS: { run: ['TRAVIS_BUILD_NUMBER'], user: [] },
  JENKINS: { run: ['BUILD_NUMBER'], user: ['BUILD_USER_ID'] },
};

const first = (env: Env, names: string[]) => names.map((n) => env[n]?.trim()).find((v) => v) ?? null;

/** The audit log's actor for a CI run: `GitHub Actions (run 123 by ada)`, `GitLab CI (run 77)`, `CI`. */
export function ciActor(detected: DetectedCi, env: Env = process.env): string {
  const variables = detected.id ? RUN_VARIABLES[detected.id] : undefined;
  const run = variables ? first(env, variables.run) : null;
  const user = variables ? first(env, variables.user) : null;
  const details = [run ? `run ${run}` : null, user ? `by ${user}` : null].filter(Boolean).join(' ');
  return `${detected.name ?? 'CI'}${details ? ` (${details})` : ''}`;
}
