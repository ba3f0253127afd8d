import Handlebars from 'handlebars';
import { PAGES } from './templates/pages.js';
import { RELEASE_PAGES } from './templates/release.js';

/**
 * The dashboard's pages: Handlebars templates in their own instance (the notes' templates and
 * helpers never mix with them). `{{…}}` escapes everything; `{{{…}}}` is used only for HTML the
 * docs pipeline already sanitised (the notes) and for the page body the layout wraps.
 */
const handlebars = Handlebars.create();
handlebars.registerHelper('eq', (a: unknown, b: unknown) => a === b);
handlebars.registerHelper('or', (a: unknown, b: unknown) => a || b);

const compiled = new Map<string, Handlebars.TemplateDelegate>();
for (const [name, source] of Object.entries({ ...PAGES, ...RELEASE_PAGES }))
  compiled.set(name, handlebars.compile(source, { strict: false, noEscape: false }));
for (const [name, source] of Object.entries(PAGES))
  if (name.startsWith('_')) handlebars.registerPartial(name.slice(1), source);

/** What every page's frame shows: who is looking, which section they are in. */
export interface Frame {
  title: string;
  section: 'releases' | 'calendar' | 'subscribers';
  viewer: { name: string; role: string } | null;
  canAct: boolean;
  csrf: string | null;
  /** Extra script files (no inline script: the CSP forbids it). */
  scripts?: string[];
}

export function renderPage(name: string, frame: Frame, data: Record<string, unknown>): string {
  const page = compiled.get(name);
  if (!page) throw new Error(`no dashboard template ${name}`);
  const body = page({ ...data, frame });
  return compiled.get('layout')!({ ...frame, body });
}
