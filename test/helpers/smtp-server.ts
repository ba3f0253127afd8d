import type { AddressInfo, Socket } from 'node:net';
import PostalMime from 'postal-mime';
import { SMTPServer, type SMTPServerAddress, type SMTPServerSession } from 'smtp-server';

/**
 * What the next transactions meet:
 * - `'421'` / `'451'`: a temporary reply, at RCPT TO (default) or after the message data (`'data'`);
 *   421 also closes the connection, as a server about to shut down does;
 * - `'550'`: a permanent reply (at RCPT TO: "no such user");
 * - `'drop-before-data'`: the socket is destroyed when RCPT TO arrives;
 * - `'drop-after-data'`: the message is received and stored, then the socket is destroyed before the
 *   250: the server has the message, the client never hears so;
 * - `'stall-before-data'` / `'stall-after-data'`: no answer to RCPT TO / after the final dot (the
 *   message is stored), for client timeouts.
 */
export type SmtpFault =
  | '421'
  | '451'
  | '550'
  | 'drop-before-data'
  | 'drop-after-data'
  | 'stall-before-data'
  | 'stall-after-data';

export interface ReceivedMessage {
  raw: Buffer;
  envelope: { from: string; to: string[] };
  parsed: Awaited<ReturnType<typeof PostalMime.parse>>;
}

export interface TestSmtpServer {
  /** `smtp://127.0.0.1:PORT` */
  url: string;
  messages: ReceivedMessage[];
  /** The next `count` transactions (counted at MAIL FROM) meet `fault`. */
  failNext(count: number, fault: SmtpFault, at?: 'rcpt' | 'data'): void;
  /**
   * Once `count` messages have arrived, every further RCPT TO waits (nothing more is received)
   * until `resume()`; `reached` settles when the count is reached. For tests that act mid-run.
   */
  pauseAfter(count: number): { reached: Promise<void>; resume(): void };
  /** The most SMTP sessions that were open at the same time. */
  maxConcurrentSessions(): number;
  /** How many sessions were opened in all. */
  sessionsOpened(): number;
  close(): Promise<void>;
}

export interface TestSmtpOptions {
  /** When set, AUTH must use these (535 otherwise); without it any login is accepted. */
  auth?: { user: string; pass: string };
}

/**
 * A real SMTP server (smtp-server) on 127.0.0.1 for adapter tests. STARTTLS is disabled because
 * the self-signed certificate smtp-server bundles has expired; messages are
 * parsed with postal-mime (mailparser cannot be installed here).
 */
export async function startSmtpServer(options: TestSmtpOptions = {}): Promise<TestSmtpServer> {
  const messages: ReceivedMessage[] = [];
  const pending: { fault: SmtpFault; at: 'rcpt' | 'data' }[] = [];
  const faults = new Map<string, { fault: SmtpFault; at: 'rcpt' | 'data' }>();
  const sockets = new Map<number, Socket>();
  let open = 0;
  let maxOpen = 0;
  let pause: { count: number; reached: () => void; waiting: (() => void)[] } | null = null;
  let opened = 0;

  const socketOf = (session: SMTPServerSession) => sockets.get(session.remotePort);
  const replyError = (code: number, text: string) => Object.assign(new Error(text), { responseCode: code });
  const reply = (fault: SmtpFault) =>
    fault === '421'
      ? replyError(421, 'Service shutting down, try later')
      : fault === '451'
        ? replyError(451, 'Temporary local problem, try later')
        : replyError(550, 'No such user here');

  /** RCPT TO: a scheduled fault, or a wait while paused (see pauseAfter). */
  function rcptTo(
    address: SMTPServerAddress,
    session: SMTPServerSession,
    callback: (error?: Error | null) => void,
  ): void {
    if (pause && messages.length >= pause.count) {
      pause.waiting.push(() => rcptTo(address, session, callback));
      return;
    }
    const fault = faults.get(session.id);
    if (fault?.at !== 'rcpt') {
      callback();
      return;
    }
    if (fault.fault === 'drop-before-data') return void socketOf(session)?.destroy();
    if (fault.fault === 'stall-before-data') return;
    callback(reply(fault.fault));
  }

  const server = new SMTPServer({
    authOptional: true,
    allowInsecureAuth: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    closeTimeout: 100,
    onConnect(_session, callback) {
      open++;
      opened++;
      maxOpen = Math.max(maxOpen, open);
      callback();
    },
    onClose(session) {
      open--;
      faults.delete(session.id);
    },
    onAuth(auth, _session, callback) {
      if (options.auth && (auth.username !== options.auth.user || auth.password !== options.auth.pass))
        return callback(replyError(535, 'Authentication credentials invalid'));
      callback(null, { user: auth.username });
    },
    onMailFrom(_address, session, callback) {
      const next = pending.shift();
      if (next) faults.set(session.id, next);
      else faults.delete(session.id);
      callback();
    },
    onRcptTo: rcptTo,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', async () => {
        const fault = faults.get(session.id);
        faults.delete(session.id);
        const raw = Buffer.concat(chunks);
        const store = async () => {
          const envelope = {
            from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
            to: session.envelope.rcptTo.map((rcpt) => rcpt.address),
          };
          messages.push({ raw, envelope, parsed: await PostalMime.parse(raw) });
          if (pause && messages.length >= pause.count) pause.reached();
        };
        if (fault?.fault === 'drop-after-data') {
          await store();
          return void socketOf(session)?.destroy();
        }
        if (fault?.fault === 'stall-after-data') return void (await store());
        if (fault) return callback(reply(fault.fault));
        await store();
        callback(null, 'OK: queued as test');
      });
    },
  });
  server.server.on('connection', (socket: Socket) => {
    const port = socket.remotePort;
    if (port === undefined) return;
    sockets.set(port, socket);
    socket.once('close', () => sockets.delete(port));
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  // A client killed mid-session resets its connection: normal here, not a test failure.
  server.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'ECONNRESET' && error.code !== 'EPIPE') throw error;
  });
  const { port } = server.server.address() as AddressInfo;

  return {
    url: `smtp://127.0.0.1:${port}`,
    messages,
    failNext(count, fault, at) {
      // drop-/stall- faults name their own stage; reply codes default to RCPT TO.
      const stage = fault.endsWith('after-data')
        ? 'data'
        : fault.endsWith('before-data')
          ? 'rcpt'
          : (at ?? 'rcpt');
      for (let i = 0; i < count; i++) pending.push({ fault, at: stage });
    },
    pauseAfter(count) {
      let reached!: () => void;
      const promise = new Promise<void>((resolve) => {
        reached = resolve;
      });
      pause = { count, reached, waiting: [] };
      return {
        reached: promise,
        resume() {
          const waiting = pause?.waiting ?? [];
          pause = null;
          for (const retry of waiting) retry();
        },
      };
    },
    maxConcurrentSessions: () => maxOpen,
    sessionsOpened: () => opened,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets.values()) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
