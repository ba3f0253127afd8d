import { readdir, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { createEmlOutbox } from '../../adapters/eml-outbox.js';
import { documentFor, escapeHtml, htmlFileOf, writeFileIn, writeSite } from '../../adapters/fs-doc-site.js';
import { emailFor } from '../../channels/email.js';
import type { SlackDestination } from '../../channels/slack.js';
import { previewSlack } from '../../channels/slack-preview.js';
import { formatInstant } from '../../core/announce-time.js';
import { isEmbargoed } from '../../core/bundle-lifecycle.js';
import { isNotesArticle, NOTES_ARTICLE_KEY } from '../../core/delivery-ops/index.js';
import type { BundleRecord, ReleaseBundle } from '../../model/index.js';
import type { StorePort } from '../../ports/index.js';
import type { EmailPreview } from './preview-email.js';
import { type TrackerPreview, trackerPreviewLines } from './preview-trackers.js';

/**
 * Every artefact of a bundle as files a person can open, with an index.html linking them: the
 * help-centre article, the notes per audience (Markdown and HTML), the docs pages and assets.
 * Returns the files written, relative to `out`.
 */
export async function writePreview(
  bundle: ReleaseBundle,
  record: BundleRecord,
  out: string,
  store: StorePort,
  channels: {
    slack: SlackDestination[];
    email?: EmailPreview | null;
    only: 'helpcenter' | 'slack' | 'email' | null;
    /** The release-notes article's title, as herald.helpCenter.title makes it. */
    articleTitle?: string;
    /** The trackers' comments and release pages, given the article's URL (null: not published yet). */
    trackers?: (url: string | null) => TrackerPreview[];
  } = { slack: [], only: null },
): Promise<string[]> {
  const files: string[] = [];
  const write = async (file: string, content: string | Uint8Array) => {
    await writeFileIn(out, file, content);
    files.push(file);
  };
  const title = `${bundle.product}${bundle.package ? ` (${bundle.package})` : ''} ${bundle.version}`;
  // The published release-notes article, once it exists: both channels link to it.
  let published: Promise<string | null> | null = null;
  const notesUrl = () =>
    (published ??= store
      .listDeliveries(record.id, { keys: [NOTES_ARTICLE_KEY] })
      .then((rows) => rows.find(isNotesArticle)?.externalUrl ?? null));
  const slackIndex =
    channels.only === null || channels.only === 'slack'
      ? await writeSlack(bundle, record, await notesUrl(), channels.slack, write)
      : '';
  const emailIndex =
    channels.email && (channels.only === null || channels.only === 'email')
      ? await writeEmail(bundle, await notesUrl(), channels.email, out, files)
      : '';
  const trackersIndex =
    channels.only === null && channels.trackers
      ? await writeTrackers(title, channels.trackers(await notesUrl()), write)
      : '';
  if (channels.only === 'slack' || channels.only === 'email') {
    const heading = channels.only === 'slack' ? 'Slack' : 'Email';
    await write(
      'index.html',
      documentFor(
        { title: `${title}: ${heading} preview`, locale: 'en' },
        `<h2>${heading}</h2>\n${slackIndex}${emailIndex}`,
      ),
    );
    return files;
  }
  await writeNotesAndDocs(bundle, store, { out, title, articleTitle: channels.articleTitle, write, files });
  const index = previewIndex(bundle, record, {
    slack: slackIndex,
    email: emailIndex,
    trackers: trackersIndex,
  });
  await write('index.html', documentFor({ title: `${title}: preview`, locale: 'en' }, index));
  return files;
}

/** The help centre's release-notes article, each audience's notes, the docs pages and the bundle. */
async function writeNotesAndDocs(
  bundle: ReleaseBundle,
  store: StorePort,
  {
    out,
    title,
    articleTitle,
    write,
    files,
  }: {
    out: string;
    title: string;
    articleTitle: string | undefined;
    write: (file: string, content: string | Uint8Array) => Promise<void>;
    files: string[];
  },
): Promise<void> {
  const customer = bundle.notes.customer ?? Object.values(bundle.notes)[0];
  if (customer)
    await write(
      'help-center/release-notes.html',
      documentFor(
        {
          title: articleTitle ?? `${title} release notes`,
          locale: bundle.docs.pages[0]?.locale ?? 'en',
        },
        customer.html,
      ),
    );
  for (const [audience, notes] of Object.entries(bundle.notes)) {
    await write(`notes/${audience}.md`, notes.markdown);
    await write(
      `notes/${audience}.html`,
      documentFor({ title: `${title}: ${audience} notes`, locale: 'en' }, notes.html),
    );
  }
  const docsDir = path.join(out, 'help-center', 'docs');
  await writeSite(bundle.docs, docsDir, async (hashes) => {
    const blobs = new Map<string, Uint8Array>();
    for (const hash of hashes) {
      const blob = await store.readBlob(hash);
      if (blob) blobs.set(hash, blob.bytes);
    }
    return blobs;
  });
  files.push(...bundle.docs.pages.map((p) => `help-center/docs/${htmlFileOf(p)}`));
  await write('bundle.json', `${JSON.stringify(bundle, null, 2)}\n`);
}

/** The preview's index page: status, then a link to every file per channel, audience and page. */
function previewIndex(
  bundle: ReleaseBundle,
  record: BundleRecord,
  sections: { slack: string; email: string; trackers: string },
): string {
  const when =
    record.announceAt === null
      ? 'no announce date'
      : formatInstant(record.announceAt, record.timeZone ?? 'UTC');
  const link = (href: string, text: string) => `<a href="${escapeHtml(href)}">${escapeHtml(text)}</a>`;
  const changed = new Set([...(bundle.docsDiff?.added ?? []), ...(bundle.docsDiff?.changed ?? [])]);
  return `<p><strong>${escapeHtml(record.status)}</strong>${
    isEmbargoed(record.status) ? ' (embargoed: nothing has been published)' : ''
  }; ${escapeHtml(when)}; revision ${record.revision}.</p>
<h2>Help centre</h2>
<ul><li>${link('help-center/release-notes.html', 'Release-notes article')}</li></ul>
${sections.slack ? `<h2>Slack</h2>\n${sections.slack}` : ''}
${sections.email ? `<h2>Email</h2>\n${sections.email}` : ''}
${sections.trackers ? `<h2>Trackers</h2>\n${sections.trackers}` : ''}
<h2>Notes per audience</h2>
<ul>${Object.keys(bundle.notes)
    .map(
      (a) =>
        `<li>${escapeHtml(a)}: ${link(`notes/${a}.html`, 'HTML')} · ${link(`notes/${a}.md`, 'Markdown')}</li>`,
    )
    .join('')}</ul>
<h2>Docs (${bundle.docs.pages.length} pages)</h2>
<ul>${bundle.docs.pages
    .map(
      (p) =>
        `<li>${link(`help-center/docs/${htmlFileOf(p)}`, `${p.title} (${p.locale})`)}${changed.has(p.id) ? ' <em>changed</em>' : ''}</li>`,
    )
    .join('')}</ul>`;
}

/**
 * Per Slack channel: the exact payloads announce will post (`slack/<channel>.json`: the top
 * message, then each thread reply) and how Slack will show them (`slack/<channel>.html`). The
 * help-centre link is the published one once it exists; before that, announce adds it.
 */
async function writeSlack(
  bundle: ReleaseBundle,
  record: BundleRecord,
  url: string | null,
  destinations: SlackDestination[],
  write: (file: string, content: string) => Promise<void>,
): Promise<string> {
  if (destinations.length === 0) return '';
  const items: string[] = [];
  for (const destination of destinations) {
    const file = `slack/${destination.channel}`;
    const preview = previewSlack(bundle, record, url, destination);
    if (!preview.ok) {
      items.push(`<li>${escapeHtml(destination.label)}: ${escapeHtml(preview.error)}</li>`);
      continue;
    }
    const { messages } = preview;
    const payloads = messages.map((m, i) => ({
      channel: destination.channel,
      ...(i > 0 ? { thread_ts: '<ts of the first message>' } : {}),
      text: m.text,
      blocks: m.blocks,
    }));
    await write(`${file}.json`, `${JSON.stringify(payloads, null, 2)}\n`);
    await write(`${file}.html`, preview.html);
    const thread =
      messages.length > 1
        ? `, ${messages.length - 1} thread ${messages.length === 2 ? 'reply' : 'replies'}`
        : '';
    items.push(
      `<li>${escapeHtml(destination.label)} (${escapeHtml(destination.audience)} notes${thread}): <a href="${file}.html">as Slack shows it</a> · <a href="${file}.json">payloads</a>${url ? '' : ' (the help-centre link is added when the article exists)'}</li>`,
    );
  }
  return `<ul>${items.join('')}</ul>`;
}

/**
 * The comments and release pages announce will make on the trackers (`herald preview --channel
 * trackers` prints the same): `trackers.txt`, `trackers.html` (the same text) and `trackers.json`.
 */
async function writeTrackers(
  title: string,
  previews: TrackerPreview[],
  write: (file: string, content: string) => Promise<void>,
): Promise<string> {
  if (previews.length === 0) return '';
  const text = `${trackerPreviewLines(previews).join('\n')}\n`;
  await write('trackers.txt', text);
  await write('trackers.json', `${JSON.stringify(previews, null, 2)}\n`);
  await write(
    'trackers.html',
    documentFor({ title: `${title}: trackers preview`, locale: 'en' }, `<pre>${escapeHtml(text)}</pre>`),
  );
  const items = previews.map((p) => {
    const comments = `${p.comments.length} comment${p.comments.length === 1 ? '' : 's'}`;
    return `<li>${escapeHtml(p.tracker)}: ${comments}${p.release ? `, release page ${escapeHtml(p.release.tag)}` : ''}</li>`;
  });
  return `<ul>${items.join('')}<li><a href="trackers.html">every comment and release page</a> · <a href="trackers.json">JSON</a></li></ul>`;
}

/**
 * The email one subscriber gets: `email/message.eml` (headers and both parts, exactly as sent),
 * `email/message.html` and `email/message.txt`.
 */
async function writeEmail(
  bundle: ReleaseBundle,
  url: string | null,
  preview: EmailPreview,
  out: string,
  files: string[],
): Promise<string> {
  const notes = bundle.notes[preview.audience]?.model;
  if (!notes) return `<p>The bundle has no "${escapeHtml(preview.audience)}" notes for the email.</p>`;
  const email = await emailFor(
    bundle,
    preview.subscriber,
    preview,
    { notes, url, unsubscribe: preview.unsubscribe },
    preview.templatesFor,
  );
  if (!email)
    return `<p>Nothing in ${escapeHtml(bundle.version)} for ${escapeHtml(preview.subscriber.email)}'s topics: no email.</p>`;
  const dir = path.join(out, 'email');
  await rm(dir, { recursive: true, force: true });
  const outbox = createEmlOutbox(dir);
  await outbox.send(email);
  await outbox.close();
  const [eml] = (await readdir(dir)).filter((f) => f.endsWith('.eml'));
  await rename(path.join(dir, eml!), path.join(dir, 'message.eml'));
  await writeFileIn(out, 'email/message.html', email.html);
  await writeFileIn(out, 'email/message.txt', email.text);
  files.push('email/message.eml', 'email/message.html', 'email/message.txt');
  return `<ul><li>to ${escapeHtml(preview.subscriber.email)}: ${escapeHtml(email.subject)} · <a href="email/message.html">HTML</a> · <a href="email/message.txt">text</a> · <a href="email/message.eml">as sent (.eml)</a></li></ul>`;
}
