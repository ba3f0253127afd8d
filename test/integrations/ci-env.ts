/**
 * Environments for the CI Herald detects (through ci-info). `CI: 'false'` makes ci-info detect
 * no CI at all, whatever else the machine running the tests sets.
 */
const CI_VARIABLES = [
  'CI',
  'CONTINUOUS_INTEGRATION',
  'BUILD_ID',
  'BUILD_NUMBER',
  'RUN_ID',
  'GITHUB_ACTIONS',
  'GITHUB_RUN_ID',
  'GITHUB_ACTOR',
  'GITHUB_TRIGGERING_ACTOR',
  'GITLAB_CI',
  'CI_PIPELINE_ID',
  'CI_JOB_ID',
  'GITLAB_USER_LOGIN',
  'GITLAB_USER_NAME',
  'HERALD_ACTOR',
] as const;

const cleared = Object.fromEntries(CI_VARIABLES.map((name) => [name, undefined]));

export const noCi: Record<string, string | undefined> = { ...cleared, CI: 'false' };

export const githubActions: Record<string, string | undefined> = {
  ...cleared,
  CI: 'true',
  GITHUB_ACTIONS: 'true',
  GITHUB_RUN_ID: '123',
  GITHUB_ACTOR: 'ada',
};

export const gitlabCi: Record<string, string | undefined> = {
  ...cleared,
  CI: 'true',
  GITLAB_CI: 'true',
  CI_PIPELINE_ID: '77',
  GITLAB_USER_LOGIN: 'grace',
};
