import type HandlebarsApi from 'handlebars/runtime';
import * as runtimeModule from 'handlebars/runtime.js';
import { headerText } from '../core/email-address.js';
import { checkEmailWords, type EmailView, type EmailWords, localeChain } from '../core/email-message.js';
import { errors } from '../errors/index.js';
import type { TemplatePort, TemplateSource } from '../ports/index.js';
import { type CompileOptions, compileTemplate, runChecked } from './templates.js';

// handlebars has no "exports" map, so Node's ESM resolver (the library build) needs the runtime's
// file name with its extension; that file's types export nothing, the extension-less name's do.
const Handlebars = (runtimeModule as unknown as { default: typeof HandlebarsApi }).default;

/** A release email as the templates rendered it. */
export interface ReleaseEmail {
  subject: string;
  text: string;
  html: string;
}

/** The email templates of one language: its words, and the three parts rendered from a view. */
export interface EmailTemplates {
  words: EmailWords;
  render(view: EmailView): ReleaseEmail;
}

/** The email templates of a subscriber's locale. */
export type EmailTemplatesFor = (locale: string | null) => Promise<EmailTemplates>;

const PARTS = {
  subject: { strict: true, noEscape: true, preventIndent: true },
  text: { strict: true, noEscape: true, preventIndent: true },
  // The HTML part escapes every {{field}}; Herald's own safe markup comes through {{{html}}}.
  html: { strict: true, noEscape: false, preventIndent: true },
} as const satisfies Record<string, CompileOptions>;
type Part = keyof typeof PARTS;

/**
 * Release-email templates from `templates/email/` (the repository's over Herald's): per language
 * `<language>.json` words, and `subject.hbs`, `text.hbs`, `html.hbs`, each of which may also exist
 * as `html.de.hbs` or `html.de-at.hbs` for one language alone. A subscriber's locale picks the
 * most specific file there is (`de-AT`: `de-at`, then `de`, then the default). Words merge along
 * the same chain over English, so a language file may give only the words it changes.
 */
export function createEmailTemplates(templates: TemplatePort): EmailTemplatesFor {
  const hb = Handlebars.create();
  // {{underline title}}: a plain-text heading's rule, as long as the heading (at most 60).
  hb.registerHelper('underline', (text: unknown) => '='.repeat(Math.min(String(text).length, 60)));
  const compiled = new Map<string, Promise<(view: EmailView) => string>>();
  const byChain = new Map<string, Promise<EmailTemplates>>();

  const compilePart = (part: Part, chain: string[]) => {
    const names = [
      ...chain.filter((l) => l !== 'en').map((l) => `email/${part}.${l}.hbs`),
      `email/${part}.hbs`,
    ];
    const key = `${part}|${names.join('|')}`;
    let found = compiled.get(key);
    if (!found) {
      found = (async () => {
        let source: TemplateSource | null = null;
        for (const name of names) {
          source = await templates.find(name);
          if (source) break;
        }
        if (!source) throw errors.templateMissing(`templates/email/${part}.hbs`);
        const run = await compileTemplate(hb, source, templates, PARTS[part]);
        return (view: EmailView) => runChecked(source, () => run(view), 'email');
      })();
      // A failure is not kept: the next call reads the file again.
      found.catch(() => compiled.delete(key));
      compiled.set(key, found);
    }
    return found;
  };

  const wordsOf = async (chain: string[]): Promise<EmailWords> => {
    const merged: Record<string, unknown> = {};
    // English first, then ever more specific files over it.
    for (const [index, language] of [...chain].reverse().entries()) {
      const file = await templates.find(`email/${language}.json`);
      if (!file) {
        if (index === 0) throw errors.templateMissing('templates/email/en.json');
        continue;
      }
      let value: unknown;
      try {
        value = JSON.parse(file.source);
      } catch (error) {
        throw errors.emailWords(file.file, [`not JSON: ${(error as Error).message}`]);
      }
      const problems = checkEmailWords(value, index === 0);
      if (problems.length > 0) throw errors.emailWords(file.file, problems);
      Object.assign(merged, value);
    }
    return merged as unknown as EmailWords;
  };

  return (locale) => {
    const chain = localeChain(locale);
    const key = chain.join('|');
    let found = byChain.get(key);
    if (!found) {
      found = (async () => {
        const [words, subject, text, html] = await Promise.all([
          wordsOf(chain),
          compilePart('subject', chain),
          compilePart('text', chain),
          compilePart('html', chain),
        ]);
        return {
          words,
          render: (view) => ({
            subject: headerText(subject(view), 150),
            text: `${text(view)
              .replace(/\n{3,}/g, '\n\n')
              .trimEnd()}\n`,
            html: html(view),
          }),
        };
      })();
      // A failure is not kept: the next call reports it again (and a fixed file is read anew).
      found.catch(() => byChain.delete(key));
      byChain.set(key, found);
    }
    return found;
  };
}

/**
 * Renders every language that has email templates or words (Herald's and the repository's) with
 * two sample views, every optional part set and none set, through a view that refuses any field
 * it does not have: a misspelt field anywhere in a template (in `{{#if}}`, `{{#each}}`, a helper's
 * argument, an `{{else}}` branch) fails here, before the first email, naming the file.
 */
export async function checkEmailTemplates(
  templates: TemplatePort,
  templatesFor: EmailTemplatesFor,
): Promise<void> {
  const languages = new Set<string | null>([null]);
  for (const name of await templates.list('email')) {
    const language =
      /^([a-z0-9-]+)\.json$/.exec(name)?.[1] ?? /^(?:subject|text|html)\.([a-z0-9-]+)\.hbs$/.exec(name)?.[1];
    if (language) languages.add(language);
  }
  for (const language of languages) {
    const set = await templatesFor(language);
    for (const view of [sampleEmailView(set.words), emptyEmailView(set.words)]) set.render(strictView(view));
  }
}

/** The view as a template must use it: reading a field it does not have is an error. */
function strictView<T extends object>(value: T): T {
  return new Proxy(value, {
    get(target, key, receiver) {
      if (typeof key === 'symbol' || key in target) {
        const field = Reflect.get(target, key, receiver);
        return field !== null && typeof field === 'object' ? strictView(field) : field;
      }
      throw new Error(`"${key}" is not a field of the email view`);
    },
  });
}

/** The sample with every optional part left out (no intro, link, topics or changes). */
function emptyEmailView(words: EmailWords): EmailView {
  return {
    ...sampleEmailView(words),
    package: null,
    url: null,
    intro: null,
    breaking: null,
    sections: [],
    topics: null,
    counts: { entries: 0, breaking: 0 },
  };
}

/** Every field of the email view set, as in a release with everything. */
export function sampleEmailView(words: EmailWords): EmailView {
  const entry = { text: 'An entry', html: 'An entry' };
  return {
    product: 'Product',
    package: 'package',
    version: '1.0.0',
    title: 'package 1.0.0',
    language: 'en',
    url: 'https://help.example/notes',
    unsubscribeUrl: 'https://example.com/unsubscribe?token=sample',
    intro: entry,
    breaking: { title: words.breaking, entries: [entry] },
    sections: [{ title: 'Features', entries: [entry] }],
    topics: 'Billing',
    words,
    counts: { entries: 1, breaking: 1 },
  };
}
