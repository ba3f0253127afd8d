// TEST-ONLY SEAM. Nothing here is part of Herald's behaviour for its users: it exists so the
// kill-and-rerun tests (test/cli/announce-*.test.ts) can stop a real `herald announce` at an exact
// point of a delivery, which random kills cannot hit reliably. Every hook is off unless its
// environment variable is set, and the variables are not documented for users.

/**
 * `HERALD_CRASH_AT=<point>:<n>[@<target>]` kills this process (SIGKILL, no cleanup) the n-th time
 * the announce engine reaches `point` (fenced, delivered, settled), counting only deliveries to
 * targets starting with `<target>` when given. Not set (or not in that form): no hook at all.
 */
export function crashHookFromEnv(env: NodeJS.ProcessEnv): {
  crashPoint?: (point: string, target: string) => void;
} {
  const spec = env.HERALD_CRASH_AT;
  const match = spec ? /^(fenced|delivered|settled):(\d+)(?:@(.+))?$/.exec(spec) : null;
  if (!match) return {};
  let remaining = Number(match[2]);
  const only = match[3] ?? '';
  return {
    crashPoint: (point, target) => {
      if (point === match[1] && target.startsWith(only) && --remaining <= 0)
        process.kill(process.pid, 'SIGKILL');
    },
  };
}
