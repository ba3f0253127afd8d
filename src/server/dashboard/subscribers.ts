import { createHmac, randomBytes } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { formatInstant } from '../../core/announce-time.js';
import { normaliseEmail } from '../../core/email-address.js';
import { SUBSCRIBER_CSV_HEADER, subscriberCsvRow, topicsText } from '../../core/subscriber-export.js';
import { readSubscriberRows } from '../../core/subscriber-import.js';
import { SUBSCRIBER_STATUSES, type Subscriber } from '../../model/index.js';
import { type Dashboard, problemOf } from './context.js';

const PAGE = 1000;
/** Addresses a search shows. */
const FOUND = 50;

type Form = Record<string, string | undefined>;

const NOTICES: Record<string, string> = {
  unsubscribed: 'Unsubscribed: no more emails to that address.',
  removed: 'Removed, with everything about it.',
  absent: 'That address is not on the list.',
};

/** Every subscriber of the product, a page at a time (a list of 100,000 is never held whole). */
async function eachSubscriber(dashboard: Dashboard, visit: (s: Subscriber) => void) {
  let afterId = 0;
  for (;;) {
    const page = await dashboard.store.listSubscribers(dashboard.product, { afterId, limit: PAGE });
    for (const s of page) visit(s);
    if (page.length < PAGE) return;
    afterId = page.at(-1)!.id;
  }
}

/** Audit entries the subscribers page shows, newest first. */
const AUDIT_SHOWN = 20;
/** Names the key of the address digests in the store (shared by every process). */
const DIGEST_KEY = 'audit-address-digest';

type PostRequest = FastifyRequest<{ Body: Form }>;
type SubscriberAction = (dashboard: Dashboard, request: PostRequest, reply: FastifyReply) => Promise<unknown>;
type Extras = { notice?: string | null; problem?: unknown };

const topicsOf = (dashboard: Dashboard) => [
  ...new Set(Object.values(dashboard.runtime.config.notes.components)),
];

export function registerSubscribers(fastify: FastifyInstance, dashboard: Dashboard) {
  fastify.get<{ Querystring: { q?: string } }>('/subscribers', async (request, reply) =>
    showSubscribers(dashboard, request, reply, request.query.q ?? ''),
  );
  fastify.get('/subscribers/export.csv', async (_request, reply) => exportCsv(dashboard, reply));
  // The team's own actions on one address: the same store calls as `herald subscribers`.
  const action = (path: string, run: SubscriberAction) => registerAction(fastify, dashboard, path, run);
  action('/subscribers/unsubscribe', unsubscribeAddress);
  action('/subscribers/remove', removeAddress);
  action('/subscribers/import', importRows);
}

/** A POST: managers only (before anything else), CSRF-checked, refusals shown on the page. */
function registerAction(fastify: FastifyInstance, dashboard: Dashboard, path: string, run: SubscriberAction) {
  const managersOnly = async (request: FastifyRequest, reply: FastifyReply) => {
    if (await dashboard.refuseViewer(request, reply)) return reply;
  };
  fastify.post<{ Body: Form }>(
    path,
    { preHandler: [managersOnly, fastify.csrfProtection] },
    async (request, reply) => {
      try {
        return await run(dashboard, request, reply);
      } catch (error) {
        const { status, problem } = problemOf(error);
        return showSubscribers(dashboard, request, reply, '', { problem }, status);
      }
    },
  );
}

/** Counts per status and topic, the search's matches, the audit log: one pass over the list. */
async function showSubscribers(
  dashboard: Dashboard,
  request: FastifyRequest,
  reply: FastifyReply,
  query: string,
  extras: Extras = {},
  status = 200,
) {
  const { store, product } = dashboard;
  const needle = query.trim().toLowerCase();
  const perTopic = new Map<string, number>(topicsOf(dashboard).map((t) => [t, 0]));
  let everything = 0;
  const found: Subscriber[] = [];
  let more = false;
  await eachSubscriber(dashboard, (s) => {
    if (s.status === 'confirmed') {
      if (s.topics === 'all') everything++;
      else for (const t of s.topics) perTopic.set(t, (perTopic.get(t) ?? 0) + 1);
    }
    if (needle && s.email.includes(needle)) {
      if (found.length < FOUND) found.push(s);
      else more = true;
    }
  });
  const [counts, audit] = await Promise.all([
    store.countSubscribers(product),
    store.productAuditLog(product, AUDIT_SHOWN),
  ]);
  const zone = dashboard.zone(request);
  return dashboard.page(
    request,
    reply,
    'subscribers',
    { title: 'Subscribers', section: 'subscribers' },
    {
      product,
      notice: extras.notice ?? NOTICES[(request.query as { done?: string }).done ?? ''] ?? null,
      problem: extras.problem ?? null,
      statusCounts: SUBSCRIBER_STATUSES.map((s) => ({ status: s, count: counts[s] })),
      topicCounts: [
        { topic: 'every topic', count: everything },
        ...[...perTopic].map(([topic, count]) => ({ topic, count })),
      ],
      query,
      found: found.map((s) => ({ ...s, topics: topicsText(s.topics) })),
      foundMore: more,
      audit: audit.map((entry) => ({
        at: formatInstant(entry.at, zone),
        actor: entry.actor,
        action: entry.action,
        details: JSON.stringify(entry.details),
      })),
    },
    status,
  );
}

async function exportCsv(dashboard: Dashboard, reply: FastifyReply) {
  const lines = [SUBSCRIBER_CSV_HEADER];
  await eachSubscriber(dashboard, (s) => lines.push(subscriberCsvRow(s)));
  const file = `${dashboard.product.replace(/[^A-Za-z0-9._-]+/g, '-')}-subscribers.csv`;
  return reply
    .header('content-disposition', `attachment; filename="${file}"`)
    .header('cache-control', 'no-store')
    .type('text/csv; charset=utf-8')
    .send(`${lines.join('\n')}\n`);
}

/**
 * The address as the audit log keeps it: a keyed digest (HMAC-SHA256 with a key kept in the
 * store), never in clear; the same address always gives the same digest, to answer "was this
 * address removed?" without keeping it.
 */
async function addressDigest(dashboard: Dashboard, email: string): Promise<string> {
  const key = await dashboard.store.sharedSecret(DIGEST_KEY, () => randomBytes(32).toString('base64url'));
  return `hmac-sha256:${createHmac('sha256', key).update(email).digest('hex').slice(0, 32)}`;
}

/** One audit entry under the viewer's name. */
const audit = (
  dashboard: Dashboard,
  request: FastifyRequest,
  action: string,
  details: Record<string, unknown>,
) =>
  dashboard.store.recordProductAudit({
    product: dashboard.product,
    actor: request.viewer!.name,
    action: `subscribers.${action}`,
    details,
  });

const unsubscribeAddress: SubscriberAction = async (dashboard, request, reply) => {
  const { store, product } = dashboard;
  const email = normaliseEmail(request.body?.email ?? '') ?? '';
  const subscriber = email ? await store.findSubscriber(product, email) : null;
  if (subscriber) {
    await store.setSubscriberStatus(subscriber.id, ['pending', 'confirmed', 'bounced'], 'unsubscribed');
    await audit(dashboard, request, 'unsubscribe', { address: await addressDigest(dashboard, email) });
  }
  return reply.redirect(
    `/subscribers?q=${encodeURIComponent(email)}&done=${subscriber ? 'unsubscribed' : 'absent'}`,
    303,
  );
};

const removeAddress: SubscriberAction = async (dashboard, request, reply) => {
  const email = normaliseEmail(request.body?.email ?? '') ?? request.body?.email ?? '';
  const removed = await dashboard.store.removeSubscriber(dashboard.product, email);
  // Removed means forgotten: the log keeps who did it and a digest, not the address.
  if (removed) await audit(dashboard, request, 'remove', { address: await addressDigest(dashboard, email) });
  return reply.redirect(`/subscribers?done=${removed ? 'removed' : 'absent'}`, 303);
};

const importRows: SubscriberAction = async (dashboard, request, reply) => {
  const known = topicsOf(dashboard);
  const { subscribers, problems } = readSubscriberRows(
    request.body?.csv ?? '',
    'import:dashboard',
    known.length > 0 ? known : null,
  );
  const result = await dashboard.store.upsertSubscribers(dashboard.product, subscribers, 'confirmed');
  const refused = problems.filter((p) => p.refused);
  // Counts only: an import's addresses are in the list itself.
  await audit(dashboard, request, 'import', {
    added: result.created,
    updated: result.updated,
    unchanged: result.unchanged,
    kept: result.kept.length,
    refused: refused.length,
  });
  const notice = `${result.created} added, ${result.updated} updated, ${result.unchanged} unchanged${
    result.kept.length > 0 ? `, ${result.kept.length} left unsubscribed or bounced` : ''
  }.`;
  const problem =
    problems.length === 0
      ? null
      : {
          message: refused.length > 0 ? `${refused.length} rows were refused` : 'Notes on the import',
          fix: refused.length > 0 ? 'Correct those rows and import them again; the others are stored.' : null,
          details: problems.map((p) => `line ${p.line}: ${p.message}`),
        };
  return showSubscribers(dashboard, request, reply, '', { notice, problem }, refused.length > 0 ? 400 : 200);
};
