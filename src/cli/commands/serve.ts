import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { errors } from '../../errors/index.js';
import { createClientAddress } from '../../server/client-address.js';
import { startConfirmationQueue } from '../../server/confirmation-queue.js';
import { createConfirmationSender, createSubscriptionHandler } from '../../server/subscriptions.js';
import { parseCommandArgs } from '../args.js';
import { common, withContext } from '../context.js';
import { chooseMailer, chooseTokenSigner } from '../email.js';
import type { Output } from '../output.js';

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
    let handle: ReturnType<typeof createSubscriptionHandler> | null = null;
    const server = createServer((req, res) => {
      handle!(req, res).catch((error: unknown) => {
        output.warn(`${req.method} ${req.url?.split('?')[0]}: ${(error as Error).message}`);
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' });
        res.end('Something went wrong on our side. Please try again later.');
      });
    });
    // Slow clients must not hold connections for ever.
    server.requestTimeout = 30_000;
    server.headersTimeout = 10_000;
    await new Promise<void>((resolve, reject) => {
      server.once('error', (error: NodeJS.ErrnoException) =>
        reject(
          error.code === 'EADDRINUSE'
            ? errors.usage(`${host}:${port} is in use`, 'Stop what listens there, or pass --port.')
            : error,
        ),
      );
      server.listen(port, host, resolve);
    });
    const address = server.address() as AddressInfo;
    const local = `http://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}/`;
    // Without a configured public address, links point where this server really listens.
    const publicUrl = config.email.publicUrl || process.env.HERALD_PUBLIC_URL ? email.publicUrl : local;
    const queue = startConfirmationQueue({
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
    const clientOf = createClientAddress(config.server.trustedProxies);
    handle = createSubscriptionHandler({
      store,
      tokens,
      product,
      topics: [...new Set(Object.values(config.notes.components))],
      limits: config.server.signups,
      clientOf: (req) => clientOf(req.socket.remoteAddress, req.headers['x-forwarded-for']),
      queued: () => queue.wake(),
    });
    for (const line of [...email.notes, note]) output.info(line);
    if (output.json) output.out(JSON.stringify({ url: local, publicUrl: email.publicUrl }));
    else
      output.info(`Serving ${product} subscriptions on ${local} (links in emails use ${email.publicUrl}).`);
    await new Promise<void>((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    });
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeAllConnections();
    await closed;
    // The email being sent is finished; the rest stays queued in the store for the next start.
    await queue.stop();
    await email.mailer.close();
    return 0;
  });
}
