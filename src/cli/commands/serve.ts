import type { AddressInfo } from 'node:net';
import { hostname } from 'node:os';
import { errors } from '../../errors/index.js';
import { buildServer } from '../../server/app.js';
import { startConfirmationQueue } from '../../server/confirmation-queue.js';
import { dashboardPlugin } from '../../server/dashboard/plugin.js';
import { type Scheduler, startScheduler } from '../../server/scheduler.js';
import { createConfirmationSender } from '../../server/subscriptions.js';
import { leaseOf, runAnnounce } from '../announce-run.js';
import { parseCommandArgs } from '../args.js';
import { common, withContext } from '../context.js';
import { chooseMailer, chooseTokenSigner } from '../email.js';
import type { Output } from '../output.js';
import { reportAfterRun } from '../report.js';
import type { Runtime } from '../runtime.js';

/** Expired sessions are deleted this often (they are refused when read, whether or not). */
const PRUNE_MS = 10 * 60_000;

/** The scheduler: a run of `herald announce` every interval, logged only when it did something. */
function scheduleAnnounce(
  runtime: Runtime,
  store: Parameters<typeof runAnnounce>[0]['store'],
  output: Output,
): Scheduler | null {
  const seconds = runtime.config.server.schedulerIntervalSeconds;
  if (seconds === 0) return null;
  const leaseMs = leaseOf(process.env.HERALD_LEASE_SECONDS);
  const actor = `herald serve (${hostname()})`;
  return startScheduler({
    intervalMs: seconds * 1000,
    log: (line) => output.warn(line),
    async run(signal) {
      // Retries that must wait are left to the next run: the loop comes back in seconds anyway.
      const { report } = await runAnnounce({
        runtime,
        store,
        actor,
        leaseMs,
        dryRun: false,
        maxWaitMs: 0,
        signal,
      });
      // The release report after a run that did something (a quiet tick leaves the thread alone).
      const acted = Object.values(report.results).some((r) => r.sent + r.failed + r.reconciled > 0);
      if (acted || report.announced.length > 0)
        await reportAfterRun({
          config: runtime.config,
          root: runtime.root,
          store,
          env: process.env,
          announced: report.announced,
          output,
        });
      for (const key of report.announced)
        output.info(`scheduler: announced ${key.package ? `${key.package}@` : ''}${key.version}`);
      const failed = report.failures.length;
      if (failed > 0)
        output.warn(
          `scheduler: ${failed} deliver${failed === 1 ? 'y' : 'ies'} failed, e.g. ${report.failures[0]!.target} ${report.failures[0]!.key}: ${report.failures[0]!.message} (herald status shows all)`,
        );
    },
  });
}

export async function runServe(argv: string[], output: Output, cwd: string): Promise<number> {
  const { values, positionals } = parseCommandArgs(
    argv,
    { ...common, host: { type: 'string' }, port: { type: 'string' } },
    'serve',
  );
  if (positionals.length > 0)
    throw errors.usage(`unexpected ${positionals.join(' ')}`, 'Run `herald serve --help`.');
  return withContext(values, output, cwd, async ({ runtime, store }) => {
    const { config, root, product } = runtime;
    const host = values.host ?? config.server.host;
    const port = Number(values.port ?? config.server.port);
    if (!Number.isInteger(port) || port < 0 || port > 65535)
      throw errors.usage(`--port ${values.port} is not a port number`, 'Pass a number from 0 to 65535.');
    const email = await chooseMailer(config, root, product);
    const { tokens, note } = await chooseTokenSigner(root);
    // The confirmation queue needs the address links point to, known once the server listens.
    let queue: ReturnType<typeof startConfirmationQueue> | null = null;
    const server = buildServer({
      store,
      product,
      trustedProxies: config.server.trustedProxies,
      trustedIdentityHeader: config.server.trustedIdentityHeader ?? null,
      login: config.server.login,
      subscriptions: {
        tokens,
        topics: [...new Set(Object.values(config.notes.components))],
        limits: config.server.signups,
        queued: () => queue?.wake(),
      },
      plugins: [{ plugin: dashboardPlugin, options: { store, runtime } }],
      log: (line) => output.warn(line),
    });
    try {
      await server.listen({ port, host });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE')
        throw errors.usage(`${host}:${port} is in use`, 'Stop what listens there, or pass --port.');
      throw error;
    }
    const address = server.server.address() as AddressInfo;
    const local = `http://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}/`;
    // Without a configured public address, links point where this server really listens.
    const publicUrl = config.email.publicUrl || process.env.HERALD_PUBLIC_URL ? email.publicUrl : local;
    queue = startConfirmationQueue({
      store,
      product,
      send: createConfirmationSender({
        tokens,
        mailer: email.mailer,
        product,
        publicUrl,
        from: email.from,
        replyTo: email.replyTo,
      }),
      log: (line) => output.warn(line),
    });
    const scheduler = scheduleAnnounce(runtime, store, output);
    const prune = setInterval(() => {
      store.pruneSessions().catch((error: Error) => output.warn(`sessions: ${error.message}`));
    }, PRUNE_MS);
    prune.unref();
    for (const line of [...email.notes, note]) output.info(line);
    if (output.json) output.out(JSON.stringify({ url: local, publicUrl: email.publicUrl }));
    else
      output.info(
        `Serving ${product} on ${local}: the dashboard (sign in at ${local}login) and subscriptions (links in emails use ${email.publicUrl}); ${scheduler ? `announcing due releases every ${config.server.schedulerIntervalSeconds} s` : 'scheduler off'}.`,
      );
    await new Promise<void>((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    });
    clearInterval(prune);
    await server.close();
    // The announce run under way finishes what it holds; the next process continues the rest.
    await scheduler?.stop();
    // The email being sent is finished; the rest stays queued in the store for the next start.
    await queue.stop();
    await email.mailer.close();
    return 0;
  });
}
