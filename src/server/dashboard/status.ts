import type { FastifyInstance } from 'fastify';
import { countRows } from '../../core/delivery-counts.js';
import { decodeError } from '../../core/ledger-outcome.js';
import type { BundleRecord } from '../../model/index.js';
import type { Dashboard } from './context.js';
import { keyOf, notFound, type ReleaseParams } from './lookup.js';
import { releaseName, releaseUrl } from './release-key.js';

/** Failures listed by name (a relay refusing 100,000 emails is one reason, said 50 times at most). */
const FAILURES_SHOWN = 50;
/** Open rows read to find the failed ones. */
const OPEN_READ = 5000;

/** Statuses in which the delivery counts can still move: the page keeps polling in these. */
const MOVING = ['scheduled', 'announcing'];

/** Per target done/total, and the failures with their reason and fix. */
export async function deliveryStatus(dashboard: Dashboard, record: BundleRecord) {
  const summary = await dashboard.store.deliverySummary(record.id);
  const targets = Object.entries(summary).map(([target, states]) => ({
    target,
    done: countRows(states, ['sent', 'skipped']),
    total: countRows(states),
    failed: states.failed ?? 0,
    states: Object.entries(states)
      .filter(([, n]) => (n ?? 0) > 0)
      .map(([state, n]) => `${n} ${state}`)
      .join(' · '),
  }));
  const failed = targets.some((t) => t.failed > 0)
    ? (await dashboard.store.listDeliveries(record.id, { open: true, limit: OPEN_READ }))
        .filter((row) => row.state === 'failed')
        .slice(0, FAILURES_SHOWN)
    : [];
  const failures = failed.map((row) => {
    const error = row.lastError === null ? null : decodeError(row.lastError);
    return { target: row.target, key: row.key, message: error?.message ?? 'failed', fix: error?.fix ?? null };
  });
  return { status: record.status, live: MOVING.includes(record.status), targets, failures };
}

export function registerStatus(fastify: FastifyInstance, dashboard: Dashboard) {
  fastify.get<{ Params: ReleaseParams }>('/releases/:id/status', async (request, reply) => {
    const key = keyOf(dashboard, request);
    const record = await dashboard.store.findBundle(key);
    if (!record) return notFound(dashboard, request, reply, key);
    return dashboard.page(
      request,
      reply,
      'status',
      {
        title: `Status of ${releaseName(key)}`,
        section: 'releases',
        scripts: ['/assets/dashboard-status.js'],
      },
      {
        title: releaseName(key),
        back: releaseUrl(key, dashboard.product),
        poll: releaseUrl(key, dashboard.product, '/status.json'),
        ...(await deliveryStatus(dashboard, record)),
      },
    );
  });

  fastify.get<{ Params: ReleaseParams }>('/releases/:id/status.json', async (request, reply) => {
    const key = keyOf(dashboard, request);
    const record = await dashboard.store.findBundle(key);
    if (!record) return reply.code(404).send({ error: `${releaseName(key)} is not prepared` });
    return reply.header('cache-control', 'no-store').send(await deliveryStatus(dashboard, record));
  });
}
