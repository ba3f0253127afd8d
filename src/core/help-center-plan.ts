import {
  DOCS_PHASE,
  type DocPage,
  type DocSet,
  type PlannedDelivery,
  type TargetObject,
} from '../model/index.js';
import { type HelpCenterOp, helpCenterKeys } from './delivery-ops/index.js';

/**
 * What a help centre needs for one bundle, from what Herald already published there (the target
 * objects). Pure: the same bundle and objects always give the same plan.
 *
 * Deliveries (target `helpcenter`, keys in delivery-ops/help-center-ops.ts), phases in brackets.
 * The release notes (below DOCS_PHASE) and the docs (from it up) are two lanes that never wait
 * for each other (see the model):
 * - `section:release-notes` [2]: create the release-notes section when the config names none;
 * - `article:notes` [5]: the release-notes article; `content:notes:<hash>@r<revision>` [5]: a correction;
 * - `section:<doc section>` [10]: create a section the config does not map;
 * - `article:doc:<page>` [20]: create the page's article with its final content;
 *   `draft:doc:<page>` [20]: create it unpublished, because its content links to articles created in
 *   this same run or embeds images (uploaded as attachments of the article, so it needs an id);
 * - `content:doc:<page>:<locale>:<hash>@r<revision>` [30]: put the page's title and body in that locale;
 * - `archive:doc:<page>@r<revision>` [30]: archive the article of a page the docs no longer have.
 * Later channels (Slack, email) use CHANNEL_PHASE (40) and up, so they run once the articles have their URLs.
 */
export const HELP_CENTER_TARGET = 'helpcenter';
export const PHASE = { notesSection: 2, notes: 5, sections: DOCS_PHASE, articles: 20, content: 30 } as const;

/** Marks an archived page's article in the target objects. */
export const ARCHIVED = 'archived';

export interface HelpCenterPlanInput {
  docs: DocSet;
  /** Hash of the release-notes article (title and body) as it would be published now. */
  notesHash: string;
  /** Published objects of this product on this site, by object key (see `objectKeys`). */
  objects: ReadonlyMap<string, TargetObject>;
  /** Locale articles are created in (their source locale). */
  locale: string;
  /** Doc section id → help-centre section id, from config. */
  sections: Readonly<Record<string, string>>;
  /** The release notes' section from config (null: a `release-notes` section the channel creates). */
  releaseNotesSection: string | null;
  /** False for an older release announced after a newer one: its docs must not overwrite newer docs. */
  syncDocs: boolean;
  /** The bundle revision being planned (content keys carry it). */
  revision: number;
}

/** Keys of the target objects the help-centre channel keeps per product. */
export const objectKeys = {
  section: (docSection: string) => `section:${docSection}`,
  article: (page: string) => `article:doc:${page}`,
  content: (page: string, locale: string) => `content:doc:${page}:${locale}`,
  notes: (version: string) => `notes:${version}`,
};

export const RELEASE_NOTES_SECTION = 'release-notes';

/** Pages grouped by id, with the one in the source locale (or the first) as the article's source. */
export function pagesById(docs: DocSet, locale: string): Map<string, { source: DocPage; pages: DocPage[] }> {
  const byId = new Map<string, { source: DocPage; pages: DocPage[] }>();
  for (const page of docs.pages) {
    const entry = byId.get(page.id);
    if (!entry) byId.set(page.id, { source: page, pages: [page] });
    else {
      entry.pages.push(page);
      if (page.locale === locale && entry.source.locale !== locale) entry.source = page;
    }
  }
  return byId;
}

const short = (hash: string) => hash.replace(/^sha256:/, '').slice(0, 12);

export function planHelpCenter(input: HelpCenterPlanInput, version: string): PlannedDelivery[] {
  const plan: PlannedDelivery[] = [];
  const add = (op: HelpCenterOp, phase: number, summary: string) =>
    plan.push({ target: HELP_CENTER_TARGET, key: helpCenterKeys.format(op), phase, summary });
  const { revision } = input;
  const has = (key: string) => {
    const object = input.objects.get(key);
    return object !== undefined && object.contentHash !== ARCHIVED;
  };

  const sectionsNeeded = new Set<string>();
  if (input.releaseNotesSection === null && !has(objectKeys.section(RELEASE_NOTES_SECTION)))
    add(
      { kind: 'section', section: RELEASE_NOTES_SECTION },
      PHASE.notesSection,
      'create section "Release notes"',
    );

  if (input.syncDocs) {
    const byId = pagesById(input.docs, input.locale);
    const creating = new Set([...byId.keys()].filter((id) => !has(objectKeys.article(id))));
    for (const [id, { source, pages }] of byId) {
      if (input.sections[source.section] === undefined && !has(objectKeys.section(source.section)))
        sectionsNeeded.add(source.section);
      let sourceDone = false;
      if (creating.has(id)) {
        const secondPass = source.assets.length > 0 || source.links.some((link) => creating.has(link.page));
        add(
          { kind: 'docArticle', page: id, draft: secondPass },
          PHASE.articles,
          `create "${source.title}"${secondPass ? ' unpublished' : ''}`,
        );
        if (!secondPass) {
          sourceDone = true;
        }
      }
      for (const page of pages) {
        if (page === source && sourceDone) continue;
        if (input.objects.get(objectKeys.content(id, page.locale))?.contentHash === page.hash) continue;
        const verb = creating.has(id) ? 'publish' : 'update';
        add(
          { kind: 'docContent', page: id, locale: page.locale, hash: short(page.hash), revision },
          PHASE.content,
          `${verb} "${page.title}" (${page.locale})`,
        );
      }
    }
    // An empty DocSet is far more likely a misconfigured docs dir than a product without docs.
    if (byId.size > 0) {
      for (const [key, object] of input.objects) {
        if (!key.startsWith('article:doc:') || object.contentHash === ARCHIVED) continue;
        const id = key.slice('article:doc:'.length);
        if (!byId.has(id))
          add(
            { kind: 'archiveDoc', page: id, revision },
            PHASE.content,
            `archive "${id}" (removed from the docs)`,
          );
      }
    }
  }

  for (const section of [...sectionsNeeded].sort())
    add({ kind: 'section', section }, PHASE.sections, `create section "${section}"`);

  const notes = input.objects.get(objectKeys.notes(version));
  if (!notes) add({ kind: 'notesArticle' }, PHASE.notes, `publish the ${version} release notes`);
  else if (notes.contentHash !== input.notesHash)
    add(
      { kind: 'notesContent', hash: short(input.notesHash), revision },
      PHASE.notes,
      `correct the ${version} release notes`,
    );

  return plan.sort((a, b) => a.phase - b.phase);
}
