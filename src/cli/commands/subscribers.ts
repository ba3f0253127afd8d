import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { cleanName, normaliseEmail } from '../../core/email-address.js';
import {
  exportCell,
  SUBSCRIBER_CSV_HEADER,
  subscriberCsvRow,
  topicsText,
} from '../../core/subscriber-export.js';
import { readSubscriberRows } from '../../core/subscriber-import.js';
import { unsubscribeTokenOf } from '../../core/unsubscribe-mail.js';
import { errors } from '../../errors/index.js';
import { SUBSCRIBER_STATUSES, type Subscriber, type SubscriberStatus } from '../../model/index.js';
import type { SubscriberStorePort } from '../../ports/subscribers.js';
import { parseCommandArgs } from '../args.js';
import { type Context, common, withContext } from '../context.js';
import { chooseTokenSigner } from '../email.js';
import type { Output } from '../output.js';
import { ZENDESK_VARIABLES, zendeskCredentialsOf } from '../zendesk-env.js';

const PAGE = 1000;

const options = {
  ...common,
  name: { type: 'string' },
  locale: { type: 'string' },
  topics: { type: 'string' },
  status: { type: 'string' },
  out: { type: 'string' },
  mail: { type: 'string' },
  'zendesk-section': { type: 'string' },
} as const;

/**
 * `import --zendesk-section <id>`: the section's followers in Zendesk Guide become confirmed
 * subscribers of every topic (they chose to follow it), in the locale they follow it in.
 */
async function importZendeskFollowers(
  section: string,
  product: string,
  store: SubscriberStorePort,
  output: Output,
): Promise<number> {
  const sectionId = Number(section);
  if (!Number.isInteger(sectionId) || sectionId <= 0)
    throw errors.usage(
      `--zendesk-section ${section} is not a section id`,
      'Pass the number at the end of the section URL, e.g. --zendesk-section 360001234567.',
    );
  const credentials = zendeskCredentialsOf(process.env);
  if (!credentials) throw errors.missingCredentials('Zendesk Guide', ZENDESK_VARIABLES);
  const { createZendeskFollowers } = await import('../../adapters/zendesk-followers.js');
  const source = createZendeskFollowers(credentials);
  const total = { created: 0, updated: 0, unchanged: 0, kept: 0, skipped: 0 };
  // A page at a time: a section with 100,000 followers is never held whole.
  for await (const page of source.followers(sectionId)) {
    const result = await store.upsertSubscribers(product, page.subscribers, 'confirmed');
    total.created += result.created;
    total.updated += result.updated;
    total.unchanged += result.unchanged;
    total.kept += result.kept.length;
    total.skipped += page.skipped;
  }
  if (output.json)
    output.out(JSON.stringify({ ok: true, source: source.description, sectionId, ...total }, null, 2));
  else {
    output.info(
      `${product}: ${total.created} added, ${total.updated} updated, ${total.unchanged} unchanged${
        total.kept > 0 ? `, ${total.kept} left unsubscribed or bounced` : ''
      } (followers of section ${sectionId}).`,
    );
    if (total.skipped > 0)
      output.warn(`${total.skipped} followers have no usable email address and were left out.`);
    output.info(
      'Zendesk emails its own section followers about new articles too: set herald.helpCenter.notifySubscribers to false, or they get two emails.',
    );
  }
  return 0;
}

/** A message piped in by a mail server (kept as bytes: headers are ASCII, tokens too). */
async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('latin1');
}

/** Stored text on a terminal: rows from before names were cleaned must not move the cursor either. */
const shown = (text: string) => cleanName(text) ?? '';

/** `import <file.csv>` or `import --zendesk-section <id>`: confirmed subscribers in bulk. */
async function importSubscribers(call: SubscribersCall): Promise<number> {
  const { values, args, one, store, product, topics, output, cwd } = call;
  if (values['zendesk-section'] !== undefined) {
    if (args.length > 0)
      throw errors.usage(
        'give a CSV file or --zendesk-section, not both',
        'Run `herald subscribers --help`.',
      );
    return importZendeskFollowers(values['zendesk-section'], product, store, output);
  }
  const file = path.resolve(cwd, one('a CSV file'));
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw errors.usage(`cannot read ${file}: ${(error as Error).message}`, 'Pass the path of a CSV file.');
  }
  const { subscribers, problems } = readSubscriberRows(
    text,
    `import:${path.basename(file)}`,
    topics.length > 0 ? topics : null,
  );
  const result = await store.upsertSubscribers(product, subscribers, 'confirmed');
  const refused = problems.filter((p) => p.refused);
  if (output.json) {
    // One document: the result with every problem; the exit code says whether rows were refused.
    output.out(JSON.stringify({ ok: refused.length === 0, file, ...result, problems }, null, 2));
    return refused.length === 0 ? 0 : 2;
  }
  for (const note of problems.filter((p) => !p.refused)) output.warn(`${file}:${note.line}: ${note.message}`);
  output.info(
    `${product}: ${result.created} added, ${result.updated} updated, ${result.unchanged} unchanged${
      result.kept.length > 0 ? `, ${result.kept.length} left unsubscribed or bounced` : ''
    }.`,
  );
  if (refused.length > 0)
    throw errors.importRefused(
      file,
      subscribers.length,
      refused.map((p) => ({ message: p.message, location: { file, line: p.line } })),
    );
  return 0;
}

/** `add <email>`: one confirmed subscriber. */
async function addSubscriber(call: SubscribersCall): Promise<number> {
  const { values, args, one, store, product, topics, output } = call;
  const email = normaliseEmail(one('an email address'));
  if (!email)
    throw errors.usage(`"${args[0]}" is not an email address`, 'Pass one address, e.g. ada@example.com.');
  const line = [
    'email,name,locale,topics',
    [email, values.name ?? '', values.locale ?? '', values.topics ?? ''].map(exportCell).join(','),
  ];
  const { subscribers, problems } = readSubscriberRows(
    line.join('\n'),
    'cli',
    topics.length > 0 ? topics : null,
  );
  const refused = problems.find((p) => p.refused);
  if (refused || subscribers.length === 0)
    throw errors.usage(refused?.message ?? 'nothing to add', 'Check --name, --locale and --topics.');
  const result = await store.upsertSubscribers(product, subscribers, 'confirmed');
  const subscriber = await store.findSubscriber(product, email);
  if (output.json) output.out(JSON.stringify({ ...result, subscriber }, null, 2));
  else if (result.kept.length > 0)
    output.info(`${email} is ${result.kept[0]!.status}: left so (remove it first to add it again).`);
  else
    output.info(`${email}: ${result.created ? 'added' : result.updated ? 'updated' : 'already subscribed'}.`);
  return 0;
}

/** `remove <email>`: the address and everything about it. */
async function removeSubscriber(call: SubscribersCall): Promise<number> {
  const { args, one, store, product, output } = call;
  const email = normaliseEmail(one('an email address')) ?? args[0]!;
  const removed = await store.removeSubscriber(product, email);
  if (output.json) output.out(JSON.stringify({ email, removed }));
  else output.info(removed ? `${email}: removed, with everything about it.` : `${email} is not on the list.`);
  return removed ? 0 : 1;
}

/** `unsubscribe <email>` or `--mail <file|->`: no more emails to that address. */
async function unsubscribe(call: SubscribersCall): Promise<number> {
  const { values, args, one, runtime, store, product, output, cwd } = call;
  // An address (the team's own action), or a mailed request (List-Unsubscribe mailto:)
  // piped in by the mail server: its signed token says who.
  let subscriber: Subscriber | null;
  if (values.mail !== undefined) {
    if (args.length > 0)
      throw errors.usage('give an address or --mail, not both', 'Run `herald subscribers --help`.');
    const raw =
      values.mail === '-'
        ? await readStdin()
        : await readFile(path.resolve(cwd, values.mail), 'latin1').catch(() => {
            throw errors.usage(
              `cannot read ${values.mail}`,
              'Pass the received message as a file, or - for standard input.',
            );
          });
    const token = unsubscribeTokenOf(raw);
    const { tokens } = await chooseTokenSigner(runtime.root, process.env, { create: false });
    const id = token === null ? null : tokens.verify('unsubscribe', token);
    subscriber = id === null ? null : await store.getSubscriber(id);
    if (!subscriber || subscriber.product !== product)
      throw errors.usage(
        token === null
          ? 'the message has no unsubscribe token (subject "unsubscribe <token>")'
          : 'the unsubscribe token in the message is not valid here',
        'Nobody was unsubscribed. A valid request comes from the mailto: link of a release email of this product (same HERALD_EMAIL_SECRET).',
      );
  } else {
    const email = normaliseEmail(one('an email address (or --mail <file|->)')) ?? args[0]!;
    subscriber = await store.findSubscriber(product, email);
    if (!subscriber) {
      output.info(`${email} is not on the list.`);
      return 1;
    }
  }
  const after = await store.setSubscriberStatus(
    subscriber.id,
    ['pending', 'confirmed', 'bounced'],
    'unsubscribed',
  );
  const already = subscriber.status === 'unsubscribed';
  const status = after?.status ?? subscriber.status;
  if (output.json) output.out(JSON.stringify({ email: subscriber.email, status }));
  else
    output.info(
      `${subscriber.email}: ${already ? 'was already unsubscribed' : 'unsubscribed'}; no more emails.`,
    );
  return 0;
}

/** `list` for people, `export` as CSV: every subscriber of the product, a page at a time. */
async function listSubscribers(call: SubscribersCall): Promise<number> {
  const { values, args, statuses, store, product, output, cwd, command } = call;
  if (args.length > 0) throw errors.usage(`unexpected ${args.join(' ')}`, 'Run `herald subscribers --help`.');
  const wanted = statuses();
  const lines: string[] = [];
  const rows: Subscriber[] = [];
  const emit = (s: Subscriber) => {
    if (command === 'export') lines.push(subscriberCsvRow(s));
    else if (output.json) rows.push(s);
    else
      lines.push(
        `${s.status.padEnd(12)} ${s.email}${s.name ? ` (${shown(s.name)})` : ''}${s.locale ? ` ${shown(s.locale)}` : ''} · ${shown(topicsText(s.topics))}`,
      );
  };
  let afterId = 0;
  for (;;) {
    const page = await store.listSubscribers(product, { statuses: wanted, afterId, limit: PAGE });
    for (const s of page) emit(s);
    if (page.length < PAGE) break;
    afterId = page.at(-1)!.id;
  }
  if (command === 'export') {
    const csv = `${SUBSCRIBER_CSV_HEADER}\n${lines.map((l) => `${l}\n`).join('')}`;
    if (values.out) {
      await writeFile(path.resolve(cwd, values.out), csv);
      output.info(`Wrote ${lines.length} subscribers to ${values.out}.`);
    } else output.out(csv.trimEnd());
    return 0;
  }
  if (output.json) output.out(JSON.stringify({ product, subscribers: rows }, null, 2));
  else {
    const counts = await store.countSubscribers(product);
    output.out(lines.join('\n') || '(nobody)');
    output.info(SUBSCRIBER_STATUSES.map((s) => `${counts[s]} ${s}`).join(', '));
  }
  return 0;
}

/** What every subscribers subcommand works with. */
interface SubscribersCall {
  command: string;
  values: ReturnType<typeof parseCommandArgs<typeof options>>['values'];
  args: string[];
  /** The one argument the subcommand takes; a usage error naming `what` otherwise. */
  one: (what: string) => string;
  /** --status as a list of statuses (undefined: every status). */
  statuses: () => SubscriberStatus[] | undefined;
  runtime: Context['runtime'];
  store: Context['store'];
  product: string;
  topics: string[];
  output: Output;
  cwd: string;
}

const SUBCOMMANDS: Record<string, (call: SubscribersCall) => Promise<number>> = {
  import: importSubscribers,
  add: addSubscriber,
  remove: removeSubscriber,
  unsubscribe,
  list: listSubscribers,
  export: listSubscribers,
};

export async function runSubscribers(argv: string[], output: Output, cwd: string): Promise<number> {
  const { values, positionals } = parseCommandArgs(argv, options, 'subscribers');
  const [command = '', ...args] = positionals;
  const one = (what: string) => {
    if (args.length !== 1)
      throw errors.usage(`herald subscribers ${command} needs ${what}`, `Run \`herald subscribers --help\`.`);
    return args[0]!;
  };
  const statuses = (): SubscriberStatus[] | undefined => {
    if (values.status === undefined) return undefined;
    const list = values.status.split(',').map((s) => s.trim()) as SubscriberStatus[];
    const unknown = list.filter((s) => !SUBSCRIBER_STATUSES.includes(s));
    if (unknown.length > 0)
      throw errors.usage(`unknown status ${unknown.join(', ')}`, `Use ${SUBSCRIBER_STATUSES.join(', ')}.`);
    return list;
  };
  const run = Object.hasOwn(SUBCOMMANDS, command) ? SUBCOMMANDS[command] : undefined;
  if (!run)
    throw errors.usage(
      command ? `unknown subscribers command "${command}"` : 'herald subscribers needs a command',
      'Use import, add, remove, unsubscribe, list or export (`herald subscribers --help`).',
    );
  return withContext(values, output, cwd, async ({ runtime, store }) => {
    const product = runtime.product;
    const topics = [...new Set(Object.values(runtime.config.notes.components))];
    return run({ command, values, args, one, statuses, runtime, store, product, topics, output, cwd });
  });
}
