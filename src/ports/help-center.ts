/**
 * A help centre as the announce engine sees it: Zendesk Guide, or the built-in static site. The
 * help-centre channel (channels/help-center/) decides what to create, update and archive;
 * an adapter only performs one call per method. Failures are thrown as `DeliveryFailure`
 * (errors/delivery-failure.ts) so the engine can tell retryable, ambiguous and permanent apart.
 */

export interface HelpCenterArticle {
  id: string;
  /** Where readers find it (the article's public URL). */
  url: string;
  title: string;
  /** The article's source locale, lower-case with a hyphen (`en-us`). */
  locale: string;
  sectionId: string;
  labels: string[];
  draft: boolean;
}

export interface ArticleInput {
  sectionId: string;
  locale: string;
  title: string;
  /** Sanitised HTML. */
  body: string;
  labels: string[];
  /** Create unpublished (used when a second pass must fill in links before readers see it). */
  draft: boolean;
  /** Tell the section's followers (Zendesk's own notification email). */
  notifySubscribers: boolean;
  permissionGroupId: number | null;
  /** null: visible to everyone. */
  userSegmentId: number | null;
  /** Sort position within the section, when the page declares one. */
  position: number | null;
  /** When the content was released, for the static site's feed and listings (epoch ms). */
  publishedAt: number;
}

/** What a lost create asked for, to find the article again without a label. */
export interface CreatedArticle {
  sectionId: string;
  title: string;
  /** When the attempt started (epoch ms), or null when unknown. */
  since: number | null;
}

export interface TranslationInput {
  title: string;
  body: string;
  draft: boolean;
}

export interface AttachmentInput {
  /** The translation that embeds it: an inline attachment belongs to one translation. */
  locale?: string;
  fileName: string;
  contentType: string;
  bytes: Uint8Array;
}

export interface SectionInput {
  name: string;
  locale: string;
  /** Zendesk category to create the section in (null for the static site). */
  categoryId: number | null;
  position: number | null;
}

/** Settings a verify checks with read-only calls before any side effect. */
export interface HelpCenterSettings {
  locales: string[];
  sectionIds: string[];
  permissionGroupId: number | null;
  userSegmentId: number | null;
  categoryId: number | null;
}

export interface VerifyFinding {
  ok: boolean;
  /** What was checked, e.g. `credentials`, `section 360001`. */
  check: string;
  detail: string;
  fix?: string;
}

export interface HelpCenterPort {
  readonly kind: 'zendesk' | 'static';
  /** Identifies the site (`zendesk:https://acme.zendesk.com`, `static:/abs/dir`): keys what Herald published there. */
  readonly site: string;
  /** Human description for output (`Zendesk Guide at https://acme.zendesk.com`). */
  readonly description: string;
  verify(settings: HelpCenterSettings): Promise<VerifyFinding[]>;
  /**
   * Articles carrying this label (exact, case-sensitive), archived ones excluded. A site that
   * cannot search by label (Zendesk plans without article labels) finds the article `created`
   * describes instead: in its section, with exactly its title, created at or after `since`.
   */
  findArticlesByLabel(label: string, created?: CreatedArticle): Promise<HelpCenterArticle[]>;
  createArticle(input: ArticleInput): Promise<HelpCenterArticle>;
  /** Creates or replaces the article's translation in `locale` (title, body, draft). */
  putTranslation(articleId: string, locale: string, input: TranslationInput): Promise<{ url: string }>;
  /** Archives (removes from readers); an article already gone is not an error. */
  archiveArticle(articleId: string): Promise<void>;
  uploadAttachment(articleId: string, input: AttachmentInput): Promise<{ url: string }>;
  listSections(): Promise<{ id: string; name: string }[]>;
  createSection(input: SectionInput): Promise<{ id: string; name: string }>;
  close?(): Promise<void>;
}
