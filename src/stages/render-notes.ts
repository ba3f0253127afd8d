import type HandlebarsApi from 'handlebars/runtime';
import * as runtimeModule from 'handlebars/runtime.js';
import {
  escapeMarkdownBlock,
  escapeMarkdownInline,
  escapeMarkdownText,
  markdownUrl,
} from '../core/markdown-text.js';
import { errors, HeraldError } from '../errors/index.js';
import type { NoteEntry, NoteLink, Person, ReleaseNotes } from '../model/index.js';
import type { TemplatePort, TemplateSource } from '../ports/index.js';

// handlebars has no "exports" map, so Node's ESM resolver (the library build) needs the runtime's
// file name with its extension; that file's types export nothing, the extension-less name's do.
const Handlebars = (runtimeModule as unknown as { default: typeof HandlebarsApi }).default;

type Render = (notes: ReleaseNotes) => string;

/**
 * Render notes: Handlebars over the notes model, no side effects. Templates compile once, in an
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
        return (notes: ReleaseNotes) => tidy(runChecked(template, () => compiled(toView(notes))));
      });
      cache.set(name, render);
    }
    return render;
  };
}

const compileOptions = { strict: true, noEscape: true, preventIndent: true } as const;

/**
 * Templates are precompiled once and the result kept by the template port: a typical run then
 * needs only the Handlebars runtime, and the compiler (most of Handlebars) is loaded on a miss.
 */
export async function compileTemplate(
  hb: typeof Handlebars,
  template: TemplateSource,
  templates: TemplatePort,
  options: CompileOptions = compileOptions,
): Promise<HandlebarsApi.TemplateDelegate> {
  const compileVariant = `handlebars ${Handlebars.VERSION} ${JSON.stringify(options)}`;
  const cached = await templates.readCompiled(template, compileVariant);
  if (cached !== null) {
    try {
      return hb.template(evaluateSpec(cached));
    } catch {
      // A damaged cache entry: compile again below.
    }
  }
  const { default: compiler } = await import('handlebars');
  let ast: hbs.AST.Program;
  try {
    ast = compiler.parse(template.source);
  } catch (error) {
    throw syntaxError(template, error);
  }
  const spec = compiler.precompile(ast, options) as string;
  await templates.writeCompiled(template, compileVariant, spec);
  return hb.template(evaluateSpec(spec));
}

/** Handlebars compile options Herald uses (strict always: a misspelt field is an error). */
export interface CompileOptions {
  strict: true;
  noEscape: boolean;
  preventIndent: boolean;
}

/** A precompiled template is JavaScript source that Handlebars generated from a trusted template. */
function evaluateSpec(spec: string): TemplateSpecification {
  return new Function(`return ${spec};`)() as TemplateSpecification;
}

type TemplateSpecification = Parameters<typeof Handlebars.template>[0];

export function syntaxError(template: TemplateSource, error: unknown): HeraldError {
  // Two shapes: "Parse error on line 3: …" from the grammar, "x doesn't match y - 3:3" from block checks.
  const e = error as Error & { lineNumber?: number; column?: number };
  const line = e.lineNumber ?? Number(/line (\d+)/.exec(e.message)?.[1] ?? Number.NaN);
  const reason = (
    e.message
      .split('\n')
      .filter((l) => !/^-*\^$/.test(l.trim()))
      .pop() ?? e.message
  ).replace(/ - \d+:\d+$/, '');
  const location = Number.isNaN(line)
    ? {}
    : { line, ...(e.column !== undefined ? { column: e.column + 1 } : {}) };
  return errors.templateSyntax({ file: template.file, ...location }, reason.trim());
}

export function runChecked(
  template: TemplateSource,
  run: () => string,
  model: 'notes' | 'email' = 'notes',
): string {
  try {
    return run();
  } catch (error) {
    if (error instanceof HeraldError) throw error;
    const e = error as Error & { lineNumber?: number; column?: number };
    const reason = e.message.replace(/ - \d+:\d+$/, '').replace(/ in \[object Object\]$/, '');
    throw errors.templateField(
      {
        file: template.file,
        ...(e.lineNumber !== undefined ? { line: e.lineNumber, column: (e.column ?? 0) + 1 } : {}),
      },
      reason,
      model,
    );
  }
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
function toView(notes: ReleaseNotes): unknown {
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
    compareUrl: markdownUrl(notes.compareUrl),
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
