import path from 'node:path';
import { documentFor, escapeHtml, htmlFileOf, writeFileIn, writeSite } from '../../adapters/fs-doc-site.js';
import { formatInstant } from '../../core/announce-time.js';
import { isEmbargoed } from '../../core/bundle-lifecycle.js';
import type { BundleRecord, ReleaseBundle } from '../../model/index.js';
import type { StorePort } from '../../ports/index.js';

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
): Promise<string[]> {
  const files: string[] = [];
  const write = async (file: string, content: string | Uint8Array) => {
    await writeFileIn(out, file, content);
    files.push(file);
  };
  const title = `${bundle.product}${bundle.package ? ` (${bundle.package})` : ''} ${bundle.version}`;
  const customer = bundle.notes.customer ?? Object.values(bundle.notes)[0];
  if (customer)
    await write(
      'help-center/release-notes.html',
      documentFor(
        { title: `${title} release notes`, locale: bundle.docs.pages[0]?.locale ?? 'en' },
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

  const when =
    record.announceAt === null
      ? 'no announce date'
      : formatInstant(record.announceAt, record.timeZone ?? 'UTC');
  const link = (href: string, text: string) => `<a href="${escapeHtml(href)}">${escapeHtml(text)}</a>`;
  const changed = new Set([...(bundle.docsDiff?.added ?? []), ...(bundle.docsDiff?.changed ?? [])]);
  const index = `<p><strong>${escapeHtml(record.status)}</strong>${
    isEmbargoed(record.status) ? ' (embargoed: nothing has been published)' : ''
  }; ${escapeHtml(when)}; revision ${record.revision}.</p>
<h2>Help centre</h2>
<ul><li>${link('help-center/release-notes.html', 'Release-notes article')}</li></ul>
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
  await write('index.html', documentFor({ title: `${title}: preview`, locale: 'en' }, index));
  return files;
}
