import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { describeStatus, summariseDeliveries } from '../../cli/format.js';
import { formatInstant } from '../../core/announce-time.js';
import { countAllRows } from '../../core/delivery-counts.js';
import type { BundleKey, BundleListing, BundleStatus, ReleaseBundle } from '../../model/index.js';
import type { Dashboard } from './context.js';
import { keyOf, notFound, type ReleaseParams } from './lookup.js';
import { previewsOf, registerPreviews } from './previews.js';
import { releaseName, releaseUrl } from './release-key.js';
import { calendarWeeks, describeAt, ZONES } from './zones.js';

const STATUSES: BundleStatus[] = ['draft', 'scheduled', 'held', 'announcing', 'announced', 'cancelled'];
/** Rows per page of the releases list. */
const PAGE_ROWS = 50;
const CALENDAR_WEEKS = 6;
/** Scheduled releases the calendar reads (newest prepared first), and drafts or held ones it lists. */
const CALENDAR_READ = 500;
const UNDATED_SHOWN = 50;

type ReleaseQuery = { product?: string; package?: string; status?: string; tz?: string; page?: string };

export function registerReleasePages(fastify: FastifyInstance, dashboard: Dashboard) {
  fastify.get('/', async (_request, reply) => reply.redirect('/releases', 303));
  fastify.get<{ Querystring: ReleaseQuery }>('/releases', async (request, reply) =>
    showReleases(dashboard, request, reply),
  );
  fastify.get('/releases/calendar', async (request, reply) => showCalendar(dashboard, request, reply));
  fastify.get<{ Params: ReleaseParams }>('/releases/:id', async (request, reply) =>
    showRelease(dashboard, request, reply, keyOf(dashboard, request)),
  );
  registerPreviews(fastify, dashboard);
}

/** Every prepared release, a page at a time, narrowed by the filters in the store. */
async function showReleases(
  dashboard: Dashboard,
  request: FastifyRequest<{ Querystring: ReleaseQuery }>,
  reply: FastifyReply,
) {
  const { store, product } = dashboard;
  const zone = dashboard.zone(request);
  const filter = request.query;
  const status = STATUSES.find((s) => s === filter.status);
  const page = Math.max(1, Math.floor(Number(filter.page)) || 1);
  // One page, narrowed in the store: only its rows have their deliveries counted.
  const [listed, now] = await Promise.all([
    store.listBundles({
      ...(filter.product ? { product: filter.product } : {}),
      ...(filter.package !== undefined && filter.package !== '' ? { package: filter.package } : {}),
      ...(status ? { statuses: [status] } : {}),
      offset: (page - 1) * PAGE_ROWS,
      limit: PAGE_ROWS + 1,
    }),
    store.now(),
  ]);
  const rows = listed.slice(0, PAGE_ROWS).map((b) => {
    const when = describeAt(b.announceAt, b.timeZone, zone, now);
    return {
      url: releaseUrl(b.key, product),
      name: releaseName(b.key),
      status: b.status,
      statusText: describeStatus(b.status, b.deliveries),
      stored: when.stored,
      local: when.local ?? when.stored,
      relative: when.relative ?? '—',
      revision: b.revision,
      deliveries: summariseDeliveries(b.deliveries),
    };
  });
  const pageUrl = (n: number) => {
    const query = new URLSearchParams(
      Object.entries({ ...filter, page: String(n) }).filter((e): e is [string, string] => !!e[1]),
    );
    return `/releases?${query}`;
  };
  const packages = dashboard.runtime.config.packages.map((p) => p.name);
  return dashboard.page(
    request,
    reply,
    'releases',
    { title: 'Releases', section: 'releases' },
    {
      zone,
      zones: ZONES,
      now: formatInstant(now, zone),
      rows,
      page,
      previous: page > 1 ? pageUrl(page - 1) : null,
      next: listed.length > PAGE_ROWS ? pageUrl(page + 1) : null,
      products: [...new Set([product, ...(filter.product ? [filter.product] : [])])].map((value) => ({
        value,
        selected: value === filter.product,
      })),
      packages: [...new Set([...packages, ...(filter.package ? [filter.package] : [])])].map((value) => ({
        value,
        label: value,
        selected: value === filter.package,
      })),
      statuses: STATUSES.map((value) => ({ value, selected: value === filter.status })),
    },
  );
}

/** The coming weeks with the scheduled announcements, and what has no date yet. */
async function showCalendar(dashboard: Dashboard, request: FastifyRequest, reply: FastifyReply) {
  const { store, product } = dashboard;
  const zone = dashboard.zone(request);
  const now = await store.now();
  const window = calendarWeeks(now, zone, CALENDAR_WEEKS, []);
  const [scheduled, undated] = await Promise.all([
    store.listBundles({ statuses: ['scheduled'], limit: CALENDAR_READ }),
    store.listBundles({ statuses: ['draft', 'held'], limit: UNDATED_SHOWN }),
  ]);
  const item = (b: BundleListing) => ({
    at: b.announceAt ?? 0,
    name: releaseName(b.key),
    url: releaseUrl(b.key, product),
    status: b.status,
  });
  const dated = scheduled.filter((b) => b.announceAt !== null && b.announceAt < window.last);
  return dashboard.page(
    request,
    reply,
    'calendar',
    { title: 'Calendar', section: 'calendar' },
    {
      zone,
      now: formatInstant(now, zone),
      ...calendarWeeks(now, zone, CALENDAR_WEEKS, dated.map(item)),
      unscheduled: undated.map(item),
    },
  );
}

/** What a release page shows besides the release: a notice, a problem, the schedule form's values. */
export interface ReleaseExtras {
  notice?: string | null;
  problem?: { message: string; fix: string | null; details?: string[] } | null;
  form?: { date: string; time: string; zone: string };
}

/** The release page (also after a refused action, with the problem and what was typed). */
export async function showRelease(
  dashboard: Dashboard,
  request: FastifyRequest,
  reply: FastifyReply,
  key: BundleKey,
  extras: ReleaseExtras = {},
  status = 200,
) {
  const { store, product } = dashboard;
  const record = await store.findBundle(key);
  if (!record) return notFound(dashboard, request, reply, key);
  const zone = dashboard.zone(request);
  const [revision, deliveries, now, audit] = await Promise.all([
    store.readRevision(record.id),
    store.deliverySummary(record.id),
    store.now(),
    store.auditLog(key),
  ]);
  const bundle = revision!.bundle;
  const url = (suffix: string) => releaseUrl(key, product, suffix);
  const scheduleZone = record.timeZone ?? dashboard.runtime.config.schedule.timeZone ?? zone;
  const [date, time] =
    record.announceAt === null ? ['', ''] : formatInstant(record.announceAt, scheduleZone).split(' ');
  const previews = await previewsOf(dashboard, record, bundle, url);
  return dashboard.page(
    request,
    reply,
    'release',
    { title: releaseName(key), section: 'releases' },
    {
      title: releaseName(key),
      notice: extras.notice ?? noticeOf(request),
      problem: extras.problem ?? null,
      status: record.status,
      statusText: describeStatus(record.status, deliveries),
      announceAt: record.announceAt,
      when: describeAt(record.announceAt, record.timeZone, zone, now),
      revision: record.revision,
      contentRevision: record.contentRevision,
      source: `${bundle.tag} at ${bundle.sourceCommit.slice(0, 12)}${bundle.previousTag ? `, since ${bundle.previousTag}` : ''}`,
      deliveries: summariseDeliveries(deliveries),
      failed: countAllRows(deliveries, ['failed']),
      // One retry form per target with failures, as `herald retry --channel <target>`.
      failedTargets: Object.entries(deliveries)
        .filter(([, states]) => (states.failed ?? 0) > 0)
        .map(([target, states]) => ({ target, count: states.failed })),
      form: extras.form ?? { date, time, zone: scheduleZone },
      zones: ZONES,
      urls: {
        status: url('/status'),
        schedule: url('/schedule'),
        now: url('/announce-now'),
        hold: url('/hold'),
        cancel: url('/cancel'),
        retry: url('/retry'),
        edit: url('/edit'),
        email: url('/preview/email'),
      },
      notes: Object.entries(bundle.notes).map(([audience, notes]) => ({
        audience,
        entries: notes.model.counts.entries,
        edited: record.overlay[audience] !== undefined,
        html: notes.html,
      })),
      ...previews,
      docs: docsChanges(bundle),
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

/** After an action redirects back: what it did (a fixed text per action, never echoed input). */
const NOTICES: Record<string, string> = {
  scheduled: 'Scheduled.',
  unchanged: 'Nothing changed.',
  now: 'Due now: the next announce run sends it.',
  held: 'Held: it has no announce date now.',
  cancelled: 'Cancelled: it will not be announced.',
  retried: 'Failed deliveries queued again: the next announce run sends them.',
  edited: 'The edit is stored as a new content revision.',
};
const noticeOf = (request: FastifyRequest) =>
  NOTICES[(request.query as { done?: string }).done ?? ''] ?? null;

function docsChanges(bundle: ReleaseBundle) {
  const diff = bundle.docsDiff;
  if (!diff) return { since: null, items: [], none: 'Nothing was announced before: every page is new.' };
  const page = (id: string) => bundle.docs.pages.find((p) => p.id === id);
  const items = [
    ...diff.added.map((id) => ({
      change: 'added',
      title: page(id)?.title ?? id,
      path: page(id)?.path ?? '',
    })),
    ...diff.changed.map((id) => ({
      change: 'changed',
      title: page(id)?.title ?? id,
      path: page(id)?.path ?? '',
    })),
    ...diff.renamed.map((r) => ({
      change: 'moved',
      title: page(r.id)?.title ?? r.id,
      path: `${r.from} → ${r.to}`,
    })),
    ...diff.removed.map((id) => ({ change: 'removed', title: id, path: '' })),
  ];
  return { since: diff.since, items, none: 'No page changes.' };
}
