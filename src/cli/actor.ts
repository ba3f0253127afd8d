import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

/**
 * Who is making a change, for the audit log: HERALD_ACTOR, else the CI system's user, else the
 * git user of the repository, else the operating-system user.
 */
export async function resolveActor(root: string, env = process.env): Promise<string> {
  if (env.HERALD_ACTOR?.trim()) return env.HERALD_ACTOR.trim();
  if (env.GITHUB_ACTIONS === 'true' && env.GITHUB_ACTOR) return `github-actions:${env.GITHUB_ACTOR}`;
  if (env.GITLAB_CI === 'true' && (env.GITLAB_USER_LOGIN || env.GITLAB_USER_NAME))
    return `gitlab-ci:${env.GITLAB_USER_LOGIN ?? env.GITLAB_USER_NAME}`;
  if (env.CI && env.BUILDKITE_BUILD_CREATOR) return `buildkite:${env.BUILDKITE_BUILD_CREATOR}`;
  try {
    const [name = '', email = ''] = await Promise.all(
      ['user.name', 'user.email'].map((key) =>
        run('git', ['config', '--get', key], { cwd: root }).then(
          (r) => r.stdout.trim(),
          () => '',
        ),
      ),
    );
    if (name || email) return email ? `${name || email} <${email}>` : name;
  } catch {
    // Fall through to the OS user.
  }
  return env.USER ?? env.USERNAME ?? 'unknown';
}
