import type { FastifyInstance, FastifyReply } from 'fastify';
import { emailFor } from '../../channels/email.js';
import { previewSlack } from '../../channels/slack-preview.js';
import { isNotesArticle, NOTES_ARTICLE_KEY } from '../../core/delivery-ops/index.js';
import type { BundleRecord, ReleaseBundle } from '../../model/index.js';
import type { OutgoingEmail } from '../../ports/index.js';
import type { Dashboard } from './context.js';
import { keyOf, notFound, type ReleaseParams } from './lookup.js';

// What each channel gets, rendered by the same code `herald preview` and `herald announce` use.
// Slack's look and the email's HTML part are whole documents with their own styles: they are
// served by routes of their own, in a sandbox (no script, no forms, no same-origin access), and
// framed only by the dashboard itself.

/** The published release-notes article once it exists: Slack and the email link to it. */
async function publishedUrl(dashboard: Dashboard, record: BundleRecord): Promise<string | null> {
  const rows = await dashboard.store.listDeliveries(record.id, { keys: [NOTES_ARTICLE_KEY] });
  return rows.find(isNotesArticle)?.externalUrl ?? null;
}

/** The email a subscriber of every topic gets, in the default language (`herald preview`'s sample). */
async function sampleEmail(
  dashboard: Dashboard,
  record: BundleRecord,
  bundle: ReleaseBundle,
): Promise<OutgoingEmail | string> {
  const { emailPreviewFor } = await import('../../cli/commands/preview-email.js');
  const preview = await emailPreviewFor(dashboard.runtime, dashboard.store, null);
  const notes = bundle.notes[preview.audience]?.model;
  if (!notes) return `The release has no "${preview.audience}" notes for the email.`;
  const email = await emailFor(
    bundle,
    preview.subscriber,
    preview,
    { notes, url: await publishedUrl(dashboard, record), unsubscribe: preview.unsubscribe },
    preview.templatesFor,
  );
  return email ?? `Nothing in ${bundle.version} for a subscriber's topics: no email.`;
}

/** The release page's previews: the article inline (sanitised HTML), Slack and email framed. */
export async function previewsOf(
  dashboard: Dashboard,
  record: BundleRecord,
  bundle: ReleaseBundle,
  url: (suffix: string) => string,
) {
  const { helpCenterCommonOf } = await import('../../cli/channels.js');
  const helpCenter = helpCenterCommonOf(dashboard.runtime.config);
  const [destinations, published, email] = await Promise.all([
    dashboard.slack(),
    publishedUrl(dashboard, record),
    sampleEmail(dashboard, record, bundle),
  ]);
  const article = bundle.notes[helpCenter.audience];
  return {
    articleTitle: helpCenter.title(bundle),
    article: article?.html ?? `<p>No "${helpCenter.audience}" notes for the help centre.</p>`,
    slack: destinations.map((destination) => {
      const preview = previewSlack(bundle, record, published, destination);
      return {
        label: `${destination.label} (${destination.audience} notes)`,
        error: preview.ok ? null : preview.error,
        url: url(`/preview/slack/${encodeURIComponent(destination.channel)}`),
      };
    }),
    email:
      typeof email === 'string'
        ? { error: email }
        : {
            subject: email.subject,
            from: email.from.name ? `${email.from.name} <${email.from.address}>` : email.from.address,
            text: email.text,
          },
  };
}

/** A framed preview document: its own CSP (styles of its own, nothing else), sandboxed. */
function sendFramed(reply: FastifyReply, html: string) {
  return reply
    .header(
      'content-security-policy',
      "default-src 'none'; style-src 'unsafe-inline'; img-src data: https:; sandbox; frame-ancestors 'self'",
    )
    .header('x-frame-options', 'SAMEORIGIN')
    .header('cache-control', 'no-store')
    .type('text/html; charset=utf-8')
    .send(html);
}

export function registerPreviews(fastify: FastifyInstance, dashboard: Dashboard) {
  const load = async (request: Parameters<typeof keyOf>[1]) => {
    const key = keyOf(dashboard, request);
    const record = await dashboard.store.findBundle(key);
    if (!record) return { key, record: null, bundle: null };
    return { key, record, bundle: (await dashboard.store.readRevision(record.id))!.bundle };
  };

  fastify.get<{ Params: ReleaseParams & { channel: string } }>(
    '/releases/:id/preview/slack/:channel',
    async (request, reply) => {
      const { key, record, bundle } = await load(request);
      if (!record) return notFound(dashboard, request, reply, key);
      const destination = (await dashboard.slack()).find((d) => d.channel === request.params.channel);
      if (!destination)
        return reply.code(404).type('text/plain').send('No such Slack channel is configured.');
      const preview = previewSlack(bundle!, record, await publishedUrl(dashboard, record), destination);
      return preview.ok
        ? sendFramed(reply, preview.html)
        : reply.code(409).type('text/plain').send(preview.error);
    },
  );

  fastify.get<{ Params: ReleaseParams }>('/releases/:id/preview/email', async (request, reply) => {
    const { key, record, bundle } = await load(request);
    if (!record) return notFound(dashboard, request, reply, key);
    const email = await sampleEmail(dashboard, record, bundle!);
    return typeof email === 'string' ? reply.type('text/plain').send(email) : sendFramed(reply, email.html);
  });
}
