import type HandlebarsApi from 'handlebars/runtime';
import * as runtimeModule from 'handlebars/runtime.js';
import {
  escapeMarkdownBlock,
  escapeMarkdownInline,
  escapeMarkdownText,
  markdownUrl,
} from '../core/markdown-text.js';
import type { NoteEntry, NoteLink, Person, ReleaseNotes } from '../model/index.js';
import type { TemplatePort } from '../ports/index.js';
import { compileTemplate, runChecked } from './templates.js';

// handlebars has no "exports" map, so Node's ESM resolver (the library build) needs the runtime's
// file name with its extension; that file's types export nothing, the extension-less name's do.
const Handlebars = (runtimeModule as unknown as { default: typeof HandlebarsApi }).default;

type Render = (notes: ReleaseNotes, options?: RenderOptions) => string;

/**
 * How the notes are written: release notes (the default), or a CHANGELOG.md section with the
 * changelog settings. Templates see these as `options`; without compare links `compareUrl` is null.
 */
export interface RenderOptions {
  changelog: boolean;
  commitLinks: boolean;
  compareLinks: boolean;
  contributors: boolean;
}

const RELEASE_NOTES: RenderOptions = {
  changelog: false,
  commitLinks: false,
  compareLinks: true,
  contributors: false,
};

/** The options of a CHANGELOG.md section, from `herald.notes.changelog`. */
export const changelogRenderOptions = (settings: Omit<RenderOptions, 'changelog'>): RenderOptions => ({
  changelog: true,
  commitLinks: settings.commitLinks,
  compareLinks: settings.compareLinks,
  contributors: settings.contributors,
});

/**
 * Render notes: Handlebars (through the template toolkit, templates.ts) over the notes model, no side effects. Templates compile once, in an
 * isolated Handlebars environment, in strict mode (a field the model lacks is an error naming the
 * template line) with HTML escaping off: output is Markdown, and every untrusted string has
 * already been Markdown-escaped in the view.
 */
export async function createNotesRenderer(
  templates: TemplatePort,
): Promise<(template: string) => Promise<Render>> {
  const hb = Handlebars.create();
  registerHelpers(hb);
  for (const [name, partial] of Object.entries(await templates.partials())) {
    const compiled = await compileTemplate(hb, partial, templates);
    hb.registerPartial(name, (context: unknown, options?: HandlebarsApi.RuntimeOptions) =>
      runChecked(partial, () => compiled(context, options)),
    );
  }
  const cache = new Map<string, Promise<Render>>();
  return (name) => {
    let render = cache.get(name);
    if (!render) {
      render = templates.load(name).then(async (template) => {
        const compiled = await compileTemplate(hb, template, templates);
        return (notes: ReleaseNotes, options = RELEASE_NOTES) =>
          tidy(runChecked(template, () => compiled(toView(notes, options))));
      });
      cache.set(name, render);
    }
    return render;
  };
}

function registerHelpers(hb: typeof Handlebars): void {
  // {{link text url}}: a Markdown link when there is a safe URL, else the text.
  hb.registerHelper('link', (text: string, url: string | null) => (url ? `[${text}](${url})` : text));
  hb.registerHelper('eq', (a: unknown, b: unknown) => a === b);
  hb.registerHelper('join', (list: unknown, separator: unknown) =>
    Array.isArray(list) ? list.join(typeof separator === 'string' ? separator : ', ') : '',
  );
  hb.registerHelper('indent', (text: string, spaces: number) =>
    text.split('\n').join(`\n${' '.repeat(spaces)}`),
  );
}

/** At most one blank line in a row, and one trailing newline: templates can stay readable. */
function tidy(markdown: string): string {
  return `${markdown
    .replace(/[ \t]+$/gm, '')
    .replace(/\n{3,}/g, '\n\n')
    .trim()}\n`;
}

/** The model with every untrusted string escaped for Markdown and every URL checked. */
function toView(notes: ReleaseNotes, options: RenderOptions): unknown {
  const link = (l: NoteLink) => ({ text: escapeMarkdownInline(l.text), url: markdownUrl(l.url) });
  const person = (p: Person) => ({
    name: escapeMarkdownText(p.name),
    email: p.email,
    login: p.login ? escapeMarkdownText(p.login) : null,
  });
  const entry = (e: NoteEntry) => ({
    ...e,
    text: escapeMarkdownText(e.text),
    scope: e.scope === null ? null : escapeMarkdownText(e.scope),
    component: e.component === null ? null : escapeMarkdownText(e.component),
    commitUrl: markdownUrl(e.commitUrl),
    pullRequest: e.pullRequest ? link(e.pullRequest) : null,
    issues: e.issues.map(link),
    authors: e.authors.map(person),
  });
  return {
    ...notes,
    product: escapeMarkdownText(notes.product),
    compareUrl: options.compareLinks ? markdownUrl(notes.compareUrl) : null,
    options,
    sections: notes.sections.map((s) => ({
      ...s,
      title: escapeMarkdownText(s.title),
      entries: s.entries.map(entry),
      components: s.components.map((c) => ({
        component: escapeMarkdownText(c.component),
        entries: c.entries.map(entry),
      })),
    })),
    breaking: notes.breaking.map((b) => ({ text: escapeMarkdownBlock(b.text), entry: entry(b.entry) })),
    components: notes.components.map(escapeMarkdownText),
    contributors: notes.contributors.map(person),
    linked: notes.linked.map(link),
  };
}
