import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
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

export function registerSubscribers(fastify: FastifyInstance, dashboard: Dashboard) {
  const { store, product } = dashboard;
  const topics = () => [...new Set(Object.values(dashboard.runtime.config.notes.components))];

  const show = async (
    request: FastifyRequest,
    reply: FastifyReply,
    query: string,
    extras: { notice?: string | null; problem?: unknown } = {},
    status = 200,
  ) => {
    const needle = query.trim().toLowerCase();
    const perTopic = new Map<string, number>(topics().map((t) => [t, 0]));
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
    const counts = await store.countSubscribers(product);
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
      },
      status,
    );
  };

  fastify.get<{ Querystring: { q?: string } }>('/subscribers', async (request, reply) =>
    show(request, reply, request.query.q ?? ''),
  );

  fastify.get('/subscribers/export.csv', async (_request, reply) => {
    const lines = [SUBSCRIBER_CSV_HEADER];
    await eachSubscriber(dashboard, (s) => lines.push(subscriberCsvRow(s)));
    const file = `${product.replace(/[^A-Za-z0-9._-]+/g, '-')}-subscribers.csv`;
    return reply
      .header('content-disposition', `attachment; filename="${file}"`)
      .header('cache-control', 'no-store')
      .type('text/csv; charset=utf-8')
      .send(`${lines.join('\n')}\n`);
  });

  const post = (
    path: string,
    run: (request: FastifyRequest<{ Body: Form }>, reply: FastifyReply) => Promise<unknown>,
  ) =>
    fastify.post<{ Body: Form }>(path, { preHandler: fastify.csrfProtection }, async (request, reply) => {
      if (await dashboard.refuseViewer(request, reply)) return reply;
      try {
        return await run(request, reply);
      } catch (error) {
        const { status, problem } = problemOf(error);
        return show(request, reply, '', { problem }, status);
      }
    });

  // The team's own actions on one address: the same store calls as `herald subscribers`.
  post('/subscribers/unsubscribe', async (request, reply) => {
    const email = normaliseEmail(request.body?.email ?? '') ?? '';
    const subscriber = email ? await store.findSubscriber(product, email) : null;
    if (subscriber)
      await store.setSubscriberStatus(subscriber.id, ['pending', 'confirmed', 'bounced'], 'unsubscribed');
    return reply.redirect(
      `/subscribers?q=${encodeURIComponent(email)}&done=${subscriber ? 'unsubscribed' : 'absent'}`,
      303,
    );
  });

  post('/subscribers/remove', async (request, reply) => {
    const email = normaliseEmail(request.body?.email ?? '') ?? request.body?.email ?? '';
    const removed = await store.removeSubscriber(product, email);
    return reply.redirect(`/subscribers?done=${removed ? 'removed' : 'absent'}`, 303);
  });

  post('/subscribers/import', async (request, reply) => {
    const known = topics();
    const { subscribers, problems } = readSubscriberRows(
      request.body?.csv ?? '',
      'import:dashboard',
      known.length > 0 ? known : null,
    );
    const result = await store.upsertSubscribers(product, subscribers, 'confirmed');
    const refused = problems.filter((p) => p.refused);
    const notice = `${result.created} added, ${result.updated} updated, ${result.unchanged} unchanged${
      result.kept.length > 0 ? `, ${result.kept.length} left unsubscribed or bounced` : ''
    }.`;
    const problem =
      problems.length === 0
        ? null
        : {
            message: refused.length > 0 ? `${refused.length} rows were refused` : 'Notes on the import',
            fix:
              refused.length > 0 ? 'Correct those rows and import them again; the others are stored.' : null,
            details: problems.map((p) => `line ${p.line}: ${p.message}`),
          };
    return show(request, reply, '', { notice, problem }, refused.length > 0 ? 400 : 200);
  });
}
