import type {} from '@fastify/csrf-protection';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { parseScheduleFlags } from '../../cli/schedule-flags.js';
import { formatInstant, isValidTimeZone, parseAnnounceTime } from '../../core/announce-time.js';
import { decideCancel, decideHold, decideSchedule } from '../../core/bundle-lifecycle.js';
import { parseEditDocument, renderEditDocument } from '../../core/notes-overlay.js';
import { errors } from '../../errors/index.js';
import type { BundleKey } from '../../model/index.js';
import { storeNotesEdit } from '../../stages/edit-notes.js';
import { type Dashboard, problemOf } from './context.js';
import { keyOf, notFound, type ReleaseParams } from './lookup.js';
import { releaseName, releaseUrl } from './release-key.js';
import { showRelease } from './release-pages.js';

type Form = Record<string, string | undefined>;
type ActionRequest = FastifyRequest<{ Params: ReleaseParams; Body: Form }>;
type ActionRun = (
  dashboard: Dashboard,
  request: ActionRequest,
  reply: FastifyReply,
  key: BundleKey,
  actor: string,
) => Promise<unknown>;

/** The release page again, saying what the action did (`what` picks a fixed notice). */
function done(dashboard: Dashboard, key: BundleKey, what: string) {
  const url = releaseUrl(key, dashboard.product);
  return `${url}${url.includes('?') ? '&' : '?'}done=${what}`;
}

/**
 * The release manager's actions, with the CLI's rules: the same decisions (`decideSchedule`,
 * `decideHold`, …) run inside the store's write transaction against the store's clock, and the
 * same refusals come back as the page's problem. Each lands in the audit log under the viewer.
 */
export function registerReleaseActions(fastify: FastifyInstance, dashboard: Dashboard) {
  const action = (suffix: string, run: ActionRun) => registerAction(fastify, dashboard, suffix, run);
  action('/schedule', scheduleRelease);
  action('/announce-now', announceNow);
  action('/hold', holdRelease);
  action('/cancel', cancelRelease);
  action('/retry', retryFailed);
  action('/edit', storeEdit);
  fastify.get<{ Params: ReleaseParams; Querystring: { audience?: string } }>(
    '/releases/:id/edit',
    async (request, reply) => {
      // The editor is for those who may store its result.
      if (await dashboard.refuseViewer(request, reply)) return reply;
      return showEditor(dashboard, request, reply, keyOf(dashboard, request), request.query.audience);
    },
  );
}

/**
 * A POST route: managers only (a viewer is told so whatever the form carries), then the CSRF
 * check, then `run`; its HeraldError refusals are shown on the release page.
 */
function registerAction(fastify: FastifyInstance, dashboard: Dashboard, suffix: string, run: ActionRun) {
  const managersOnly = async (request: FastifyRequest, reply: FastifyReply) => {
    if (await dashboard.refuseViewer(request, reply)) return reply;
  };
  fastify.post<{ Params: ReleaseParams; Body: Form }>(
    `/releases/:id${suffix}`,
    { preHandler: [managersOnly, fastify.csrfProtection] },
    async (request, reply) => {
      const key = keyOf(dashboard, request);
      try {
        return await run(dashboard, request, reply, key, request.viewer!.name);
      } catch (error) {
        const { status, problem } = problemOf(error);
        return showRelease(dashboard, request, reply, key, { problem, form: formOf(request.body) }, status);
      }
    },
  );
}

const scheduleRelease: ActionRun = async (dashboard, request, reply, key, actor) => {
  const body = request.body ?? {};
  const zone = body.zone?.trim() || undefined;
  const at = body.exact ?? `${body.date ?? ''} ${body.time ?? ''}`.trim();
  if (at === '') throw errors.usage('no announce time given', 'Pick a date and a time.');
  // A wall time the clocks pass twice is a choice for the release manager, never a guess.
  const parsed = zone && isValidTimeZone(zone) && !body.exact ? parseAnnounceTime(at, zone) : null;
  if (parsed && !parsed.ok && parsed.reason === 'ambiguous')
    return showChoice(dashboard, request, reply, key, { at, zone: zone!, candidates: parsed.candidates! });
  const plan = parseScheduleFlags({ at, tz: zone }, dashboard.runtime.config);
  const { result } = await dashboard.store.mutateBundle(key, actor, (current, now) =>
    decideSchedule(current, now, plan, key.version),
  );
  return reply.redirect(done(dashboard, key, result.changed ? 'scheduled' : 'unchanged'), 303);
};

/** Which of the two instants a wall time names, as a form of radio buttons. */
function showChoice(
  dashboard: Dashboard,
  request: FastifyRequest,
  reply: FastifyReply,
  key: BundleKey,
  wall: { at: string; zone: string; candidates: string[] },
) {
  const { at, zone } = wall;
  return dashboard.page(
    request,
    reply,
    'choose',
    { title: `Which ${at}?`, section: 'releases' },
    {
      wall: at,
      zone,
      action: releaseUrl(key, dashboard.product, '/schedule'),
      back: releaseUrl(key, dashboard.product),
      candidates: wall.candidates.map((value) => {
        const instant = parseAnnounceTime(value, zone) as { at: number };
        return {
          value,
          label: `${formatInstant(instant.at, zone, { offset: true })} (${formatInstant(instant.at, 'UTC')})`,
        };
      }),
    },
  );
}

const announceNow: ActionRun = async (dashboard, _request, reply, key, actor) => {
  const record = await dashboard.store.findBundle(key);
  const plan = parseScheduleFlags({ now: true, tz: record?.timeZone ?? undefined }, dashboard.runtime.config);
  await dashboard.store.mutateBundle(key, actor, (current, now) =>
    decideSchedule(current, now, plan, key.version),
  );
  return reply.redirect(done(dashboard, key, 'now'), 303);
};

const holdRelease: ActionRun = async (dashboard, _request, reply, key, actor) => {
  const { result } = await dashboard.store.mutateBundle(key, actor, (current) =>
    decideHold(current, key.version),
  );
  return reply.redirect(done(dashboard, key, result.changed ? 'held' : 'unchanged'), 303);
};

const cancelRelease: ActionRun = async (dashboard, _request, reply, key, actor) => {
  const { result } = await dashboard.store.mutateBundle(key, actor, (current) =>
    decideCancel(current, key.version),
  );
  return reply.redirect(done(dashboard, key, result.changed ? 'cancelled' : 'unchanged'), 303);
};

/**
 * `herald retry <version> [--channel <target>]`: the failed deliveries, of one target when the
 * form names it (`slack` also stands for every `slack:<channel>`), queued again.
 */
const retryFailed: ActionRun = async (dashboard, request, reply, key, actor) => {
  const record = await dashboard.store.findBundle(key);
  if (!record) return notFound(dashboard, request, reply, key);
  const target = request.body?.target?.trim() || null;
  const count = await dashboard.store.requeueDeliveries(record.id, target, actor);
  return reply.redirect(done(dashboard, key, count > 0 ? 'retried' : 'unchanged'), 303);
};

/** `herald edit`'s overlay from the editor's document, stored as a new content revision. */
const storeEdit: ActionRun = async (dashboard, request, reply, key, actor) => {
  const { store } = dashboard;
  const body = request.body ?? {};
  const record = await store.findBundle(key);
  if (!record) return notFound(dashboard, request, reply, key);
  const revision = (await store.readRevision(record.id))!;
  const audience = body.audience ?? 'customer';
  const notes = revision.bundle.notes[audience];
  if (!notes) throw errors.unknownAudience(audience, Object.keys(revision.bundle.notes));
  const text = (body.document ?? '').replace(/\r\n/g, '\n');
  const base = Number(body.base ?? record.contentRevision);
  if (text.trim() === '') return reply.redirect(done(dashboard, key, 'unchanged'), 303);
  const parsed = parseEditDocument(text, notes.generated, 'the edited notes');
  if (!parsed.ok) {
    const { problem } = problemOf(errors.editSyntax('the edited notes', parsed.problems));
    return showEditor(dashboard, request, reply, key, audience, { problem, text, base }, 400);
  }
  const template = dashboard.runtime.config.notes.audiences[audience]?.template ?? `${audience}.hbs`;
  const { result } = await storeNotesEdit(store, {
    record,
    revision,
    audience,
    parsed: parsed.overlay,
    template,
    templates: dashboard.runtime.templates,
    actor,
    force: false,
    baseRevision: base,
  });
  return reply.redirect(done(dashboard, key, result.changed ? 'edited' : 'unchanged'), 303);
};

/** The schedule form's fields as typed, to show them again with a refusal. */
function formOf(body: Form | undefined) {
  if (!body || (body.date === undefined && body.zone === undefined)) return undefined;
  return { date: body.date ?? '', time: body.time ?? '', zone: body.zone ?? '' };
}

/** The notes editor: `herald edit`'s document in a text area, against the current content revision. */
async function showEditor(
  dashboard: Dashboard,
  request: FastifyRequest,
  reply: FastifyReply,
  key: BundleKey,
  audience = 'customer',
  kept?: { problem: ReturnType<typeof problemOf>['problem']; text: string; base: number },
  status = 200,
) {
  const record = await dashboard.store.findBundle(key);
  if (!record) return notFound(dashboard, request, reply, key);
  const revision = (await dashboard.store.readRevision(record.id))!;
  const notes = revision.bundle.notes[audience];
  if (!notes) return notFound(dashboard, request, reply, key);
  const url = (suffix: string, query = '') => releaseUrl(key, dashboard.product, suffix) + query;
  return dashboard.page(
    request,
    reply,
    'edit',
    { title: `Edit ${releaseName(key)}`, section: 'releases' },
    {
      title: releaseName(key),
      problem: kept?.problem ?? null,
      audience,
      audiences: Object.keys(revision.bundle.notes).map((name) => ({
        name,
        current: name === audience,
        url: `${url('/edit')}${url('/edit').includes('?') ? '&' : '?'}audience=${encodeURIComponent(name)}`,
      })),
      base: kept?.base ?? record.contentRevision,
      document: kept?.text ?? renderEditDocument(notes.generated, record.overlay[audience]),
      action: url('/edit'),
      back: url(''),
    },
    status,
  );
}
