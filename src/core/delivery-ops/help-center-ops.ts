import { type KeyCodec, type Revision, splitRevision, withRevision } from './key-codec.js';

/**
 * What the help-centre channel does, one ledger row each (target `helpcenter`):
 * - `section:<doc section>`: create a section (`release-notes` for the notes' own section);
 * - `article:notes`: publish the release-notes article; `content:notes:<hash>@r<n>`: correct it;
 * - `article:doc:<page>`: create a page's article with its content; `draft:doc:<page>`: create it
 *   unpublished (its content needs article ids first);
 * - `content:doc:<page>:<locale>:<hash>@r<n>`: put a page's title and body in that locale;
 * - `archive:doc:<page>@r<n>`: archive the article of a page the docs no longer have.
 */
export type HelpCenterOp =
  | { kind: 'section'; section: string }
  | { kind: 'notesArticle' }
  | { kind: 'notesContent'; hash: string; revision: Revision }
  | { kind: 'docArticle'; page: string; draft: boolean }
  | { kind: 'docContent'; page: string; locale: string; hash: string; revision: Revision }
  | { kind: 'archiveDoc'; page: string; revision: Revision };

export const NOTES_ARTICLE_KEY = 'article:notes';

export const helpCenterKeys: KeyCodec<HelpCenterOp> = {
  format(op) {
    switch (op.kind) {
      case 'section':
        return `section:${op.section}`;
      case 'notesArticle':
        return NOTES_ARTICLE_KEY;
      case 'notesContent':
        return withRevision(`content:notes:${op.hash}`, op.revision);
      case 'docArticle':
        return `${op.draft ? 'draft' : 'article'}:doc:${op.page}`;
      case 'docContent':
        return withRevision(`content:doc:${op.page}:${op.locale}:${op.hash}`, op.revision);
      case 'archiveDoc':
        return withRevision(`archive:doc:${op.page}`, op.revision);
    }
  },

  parse(key) {
    if (key === NOTES_ARTICLE_KEY) return { kind: 'notesArticle' };
    if (key.startsWith('section:')) return { kind: 'section', section: key.slice('section:'.length) };
    // Article keys carry no revision: the page id is everything after the prefix.
    for (const [prefix, draft] of [
      ['article:doc:', false],
      ['draft:doc:', true],
    ] as const)
      if (key.startsWith(prefix))
        return nonEmpty(key.slice(prefix.length), (page) => docArticle(page, draft));
    const { base, revision } = splitRevision(key);
    if (base.startsWith('content:notes:'))
      return nonEmpty(base.slice('content:notes:'.length), (hash) =>
        hash.includes(':') ? null : { kind: 'notesContent', hash, revision },
      );
    if (base.startsWith('archive:doc:'))
      return nonEmpty(base.slice('archive:doc:'.length), (page) => ({ kind: 'archiveDoc', page, revision }));
    if (base.startsWith('content:doc:')) {
      // The page id may hold ':'; the locale and the hash never do.
      const parts = base.slice('content:doc:'.length).split(':');
      if (parts.length < 3) return null;
      const [locale, hash] = parts.slice(-2) as [string, string];
      const page = parts.slice(0, -2).join(':');
      if (!page || !locale || !hash) return null;
      return { kind: 'docContent', page, locale, hash, revision };
    }
    return null;
  },
};

const docArticle = (page: string, draft: boolean): HelpCenterOp => ({ kind: 'docArticle', page, draft });
const nonEmpty = (text: string, op: (text: string) => HelpCenterOp | null) => (text ? op(text) : null);

/** The release-notes article's row (the one whose URL Slack and email link to). */
export function isNotesArticle(row: { key: string }): boolean {
  return helpCenterKeys.parse(row.key)?.kind === 'notesArticle';
}
