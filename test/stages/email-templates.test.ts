import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { createFsTemplates } from '../../src/adapters/fs-templates.js';
import { emailView, localeChain } from '../../src/core/email-message.js';
import { HeraldError } from '../../src/errors/index.js';
import {
  checkEmailTemplates,
  createEmailTemplates,
  sampleEmailView,
} from '../../src/stages/email-templates.js';
import { featureNotes, makeNotes, noteEntry, noteSection } from '../helpers/notes.js';

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** A repository template dir holding these files (paths under templates/). */
function repoTemplates(files: Record<string, string>) {
  const dir = mkdtempSync(path.join(tmpdir(), 'herald-email-templates-'));
  dirs.push(dir);
  for (const [name, source] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    writeFileSync(path.join(dir, name), source);
  }
  return createEmailTemplates(createFsTemplates(dir));
}

const viewOf = async (
  templatesFor: ReturnType<typeof createEmailTemplates>,
  locale: string | null,
  notes = featureNotes(['Dark mode']),
  topics: string[] | 'all' = 'all',
) => {
  const templates = await templatesFor(locale);
  const view = emailView({
    notes,
    topics,
    product: 'Acme Cloud',
    version: '2.0.0',
    url: 'https://help.acme.test/notes/2.0.0',
    unsubscribeUrl: 'https://releases.acme.test/unsubscribe?token=t&x=1',
    locale,
    words: templates.words,
  });
  return { templates, view: view! };
};

describe('release email templates', () => {
  it('render the built-in English and German emails from templates/email/', async () => {
    const templatesFor = createEmailTemplates(createFsTemplates(null));
    const notes = makeNotes({
      intro: 'A *big* one.',
      sections: [noteSection('feat', 'Features', [noteEntry(1, 'Dark mode', { component: 'Web app' })])],
      breaking: [
        { text: 'Send `Acme-Version`.', entry: noteEntry(2, 'Require a version', { component: 'Web app' }) },
      ],
    });
    const en = await viewOf(templatesFor, 'en-GB', notes, ['Web app']);
    const email = en.templates.render(en.view);
    expect(email.subject).toBe("Acme Cloud 2.0.0: what's new");
    expect(email.text).toBe(
      [
        'Acme Cloud 2.0.0',
        '================',
        '',
        'A *big* one.',
        '',
        '⚠ Breaking changes',
        '- Send `Acme-Version`.',
        '',
        'Features',
        '- Dark mode',
        '',
        'Read the release notes: https://help.acme.test/notes/2.0.0',
        '',
        '--',
        'You get this email because you follow the Acme Cloud release notes. Only changes to: Web app.',
        'Unsubscribe: https://releases.acme.test/unsubscribe?token=t&x=1',
        '',
      ].join('\n'),
    );
    expect(email.html).toContain('<html lang="en">');
    expect(email.html).toContain('<p style="margin:0 0 12px">A <i>big</i> one.</p>');
    expect(email.html).toContain('<code>Acme-Version</code>');
    // Attribute values are escaped: the & of the link's query.
    expect(email.html).toContain('href="https://releases.acme.test/unsubscribe?token&#x3D;t&amp;x&#x3D;1"');

    const de = await viewOf(templatesFor, 'de-AT', notes);
    const german = de.templates.render(de.view);
    expect(german.subject).toBe('Acme Cloud 2.0.0: Neuigkeiten');
    expect(german.text).toContain('⚠ Inkompatible Änderungen');
    expect(german.text).toContain('Abmelden: https://');
    expect(german.html).toContain('<html lang="de">');
  });

  it("use the repository's templates and words over Herald's, most specific language first", async () => {
    const templatesFor = repoTemplates({
      'email/subject.hbs': '[{{product}}] {{version}} — {{words.whatsNew}}\n',
      'email/fr.json': JSON.stringify({ whatsNew: 'quoi de neuf', unsubscribe: 'Se désabonner' }),
      'email/text.fr-ca.hbs': 'Bonjour! {{title}}\n{{words.unsubscribe}}: {{unsubscribeUrl}}\n',
    });
    const fr = await viewOf(templatesFor, 'fr');
    const french = fr.templates.render(fr.view);
    expect(french.subject).toBe('[Acme Cloud] 2.0.0 — quoi de neuf');
    // Words a language file leaves out come from English; the layout is Herald's.
    expect(french.text).toContain('Read the release notes: https://help.acme.test/notes/2.0.0');
    expect(french.text).toContain('Se désabonner: https://');
    const canada = await viewOf(templatesFor, 'fr-CA');
    expect(canada.templates.render(canada.view).text).toBe(
      'Bonjour! Acme Cloud 2.0.0\nSe désabonner: https://releases.acme.test/unsubscribe?token=t&x=1\n',
    );
    // German keeps Herald's German words, with the repository's subject template.
    const de = await viewOf(templatesFor, 'de');
    expect(de.templates.render(de.view).subject).toBe('[Acme Cloud] 2.0.0 — Neuigkeiten');
  });

  it('name the file and line of a misspelt field, and of a words file that is wrong', async () => {
    const typo = repoTemplates({
      'email/html.hbs': '<p>{{title}}</p>\n{{#if url}}\n<a href="{{url}}">{{words.readMor}}</a>\n{{/if}}\n',
    });
    const { templates, view } = await viewOf(typo, null);
    const error = (() => {
      try {
        templates.render(sampleEmailView(templates.words));
      } catch (e) {
        return e as HeraldError;
      }
    })();
    expect(error).toBeInstanceOf(HeraldError);
    expect(error!.code).toBe('ETEMPLATEFIELD');
    expect(error!.message).toMatch(/email[\\/]html\.hbs uses a field the email view does not have/);
    expect(error!.problems[0]!.location).toMatchObject({ line: 3 });
    // The view used to send has the same fields as the sample.
    expect(Object.keys(view).sort()).toEqual(Object.keys(sampleEmailView(templates.words)).sort());

    const words = repoTemplates({ 'email/en.json': '{"whatsNew": "news", "readMore": 3, "colour": "x"}' });
    await expect(words(null)).rejects.toMatchObject({
      code: 'EEMAILWORDS',
      problems: [
        { message: '"readMore" must be a string' },
        { message: expect.stringMatching(/^unknown word "colour"/) },
        ...['breaking', 'why', 'topics', 'unsubscribe'].map((key) => ({ message: `"${key}" is missing` })),
      ],
    });
    const syntax = repoTemplates({ 'email/text.de.hbs': '{{#each sections}}\n{{title}}\n' });
    await expect(syntax('de')).rejects.toMatchObject({ code: 'ETEMPLATE' });
    // Other languages are not held up by the German file.
    await expect(syntax('en')).resolves.toBeDefined();
  });

  it('check every template of every language before sending: fields in blocks, helpers and else branches too', async () => {
    const check = async (files: Record<string, string>) => {
      const dir = mkdtempSync(path.join(tmpdir(), 'herald-email-check-'));
      dirs.push(dir);
      for (const [name, source] of Object.entries(files)) {
        mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
        writeFileSync(path.join(dir, name), source);
      }
      const port = createFsTemplates(dir);
      return checkEmailTemplates(port, createEmailTemplates(port));
    };
    await expect(check({})).resolves.toBeUndefined();
    const cases: [Record<string, string>, RegExp][] = [
      [{ 'email/text.hbs': '{{#if intor}}{{intro.text}}{{/if}}\n' }, /text\.hbs.*"intor"/s],
      [{ 'email/text.hbs': '{{#each sectons}}{{title}}{{/each}}\n' }, /"sectons"/],
      [{ 'email/text.hbs': '{{underline titel}}\n' }, /"titel"/],
      [
        { 'email/subject.hbs': '{{#if url}}{{product}}{{else}}{{prodcut}}{{/if}}\n' },
        /subject\.hbs.*"prodcut"/s,
      ],
      [{ 'email/html.hbs': '{{#each sections}}{{#each entries}}{{{htm}}}{{/each}}{{/each}}\n' }, /"htm"/],
      // Only German subscribers would meet this one: checked all the same.
      [{ 'email/html.de.hbs': '<p>{{words.unsubscrib}}</p>\n' }, /html\.de\.hbs.*"unsubscrib"/s],
      [{ 'email/fr.json': '{"readMor": "Lire"}' }, /EEMAILWORDS|unknown word "readMor"/],
    ];
    for (const [files, message] of cases) {
      const failure = await check(files).then(
        () => null,
        (e: HeraldError) => e,
      );
      expect(failure, JSON.stringify(files)).toBeInstanceOf(HeraldError);
      expect(`${failure!.code} ${failure!.message}`, JSON.stringify(files)).toMatch(message);
    }
  });

  it('pick languages from locales, and never let a locale reach a file name', () => {
    expect(localeChain('de-AT')).toEqual(['de-at', 'de', 'en']);
    expect(localeChain('pt_BR')).toEqual(['pt-br', 'pt', 'en']);
    expect(localeChain(null)).toEqual(['en']);
    expect(localeChain('../../etc/passwd')).toEqual(['en']);
    fc.assert(
      fc.property(fc.string(), (locale) => {
        for (const language of localeChain(locale)) expect(language).toMatch(/^[a-z0-9-]+$/);
      }),
    );
  });

  it('keep untrusted entry text out of the markup of every part', async () => {
    const templatesFor = createEmailTemplates(createFsTemplates(null));
    const { templates } = await viewOf(templatesFor, null);
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc.constantFrom(
            '<img src=x onerror=alert(1)>',
            '[click](javascript:alert(1))',
            '<https://x.test/"onmouseover="alert(1)|link>',
            '<b>bold</b> <script>x</script>',
            '*a* _b_ ~c~ `<i>`',
            '"><svg onload=alert(1)>',
          ),
        ),
        fc.string(),
        (text, intro) => {
          const view = emailView({
            notes: featureNotes([`x${text}`], { intro: `y${intro}` }),
            topics: 'all',
            product: 'Acme <b>Cloud</b>',
            version: '2.0.0',
            url: 'javascript:alert(1)',
            unsubscribeUrl: 'https://releases.acme.test/u',
            locale: null,
            words: templates.words,
          })!;
          const { html, subject } = templates.render(view);
          // Only the tags of the template and of Herald's inline markup (emphasis, code, links).
          expect(html).not.toMatch(
            /<(?!\/?(?:html|head|meta|title|body|h1|h2|p|ul|li|a|hr|b|i|s|code|pre|br)\b)[a-z]/i,
          );
          expect(html).not.toMatch(/javascript:|<a (?![^>]*href="https?:\/\/)/i);
          expect(html).toContain('Acme &lt;b&gt;Cloud&lt;/b&gt; 2.0.0');
          // No attribute of the markup comes from the text: no event handlers, no broken-out quotes.
          expect(html).not.toMatch(/<[^>]*\son\w+\s*=/i);
          expect(subject).not.toMatch(/[\r\n]/);
        },
      ),
      { numRuns: 200 },
    );
  });
});
