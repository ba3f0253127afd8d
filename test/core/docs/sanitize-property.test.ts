import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileMarkdown, compilePage } from '../../../src/core/docs/compile-page.js';

// Pieces attackers use, mixed with Markdown syntax and random text.
const hostile = fc.constantFrom(
  '<script>alert(1)</script>',
  '<img src=x onerror=alert(1)>',
  '<a href="javascript:alert(1)">x</a>',
  '<svg onload=alert(1)>',
  '<iframe src="https://evil.test"></iframe>',
  '<div style="background:url(javascript:alert(1))">',
  '[x](javascript:alert(1))',
  '[x](JaVaScRiPt:alert(1))',
  '[x](java\tscript:alert(1))',
  '[x](data:text/html;base64,PHNjcmlwdD4=)',
  '![x](javascript:alert(1))',
  '<a href="&#106;avascript:alert(1)">x</a>',
  '<object data="x">',
  '<form action="https://evil.test"><input name=a></form>',
  '<details open ontoggle=alert(1)>',
  '<math><mi xlink:href="javascript:alert(1)">x</mi></math>',
  '[ref]: javascript:alert(1)\n\n[ref]',
  '<!-- --><script>alert(1)</script>',
  '<<script>script>alert(1)<</script>/script>',
);
const markdownBits = fc.constantFrom(
  '\n',
  '\n\n',
  '# ',
  '> ',
  '- ',
  '1. ',
  '`',
  '```\n',
  '**',
  '_',
  '[',
  ']',
  '(',
  ')',
  '|',
  '<',
  '>',
  '"',
  "'",
  '&',
  '[^1]',
  '[^1]: ',
);
const document = fc
  .array(fc.oneof(hostile, markdownBits, fc.string({ maxLength: 20 })), { maxLength: 40 })
  .map((parts) => parts.join(''));

/** Checks every tag in the output; text is escaped (`&#x3C;`), so each real `<` opens a tag. */
function assertSafe(html: string) {
  for (const [tag] of html.matchAll(/<[^>]*>/g)) {
    expect(tag).not.toMatch(/^<\/?(?:script|iframe|object|embed|form|svg|math|style|base|meta|link)\b/i);
    expect(tag).not.toMatch(/\son[a-z]+\s*=/i);
    expect(tag).not.toMatch(
      /\s(?:href|src|action|data|xlink:href|formaction)\s*=\s*"\s*(?:javascript|data|vbscript):/i,
    );
    expect(tag).not.toMatch(/\sstyle\s*=/i);
  }
}

describe('compiled HTML is safe for any Markdown (property)', () => {
  it('never contains script, event handlers, styles or javascript:/data: URLs', () => {
    fc.assert(
      fc.property(document, (markdown) => {
        assertSafe(compileMarkdown(markdown));
        const page = compilePage({
          path: 'a/b.md',
          file: 'a/b.md',
          bytes: new TextEncoder().encode(markdown),
          defaultLocale: 'en-us',
        });
        assertSafe(page.html);
      }),
      { numRuns: 400 },
    );
  });
});
