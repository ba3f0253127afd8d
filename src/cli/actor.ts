import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { ciActor, detectCi } from './ci.js';

const run = promisify(execFile);

/**
 * Who is making a change, for the audit log: HERALD_ACTOR, else the CI run (`GitHub Actions (run
 * 123 by ada)`), else the git user of the repository, else the operating-system user.
 */
export async function resolveActor(root: string, env = process.env): Promise<string> {
  if (env.HERALD_ACTOR?.trim()) return env.HERALD_ACTOR.trim();
  const ci = detectCi();
  // A CI ci-info cannot name tells nothing about who ran it: the git user says more.
  if (ci?.name) return ciActor(ci, env);
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
