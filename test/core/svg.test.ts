import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkSvg, sanitizeSvg } from '../../src/core/svg.js';

const HOSTILE = `<?xml version="1.0"?>
<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" viewBox="0 0 10 10" onload="alert(1)">
  <script>alert(2)</script>
  <use xlink:href="#a"/><use href="https://evil.example/x.svg#a"/>
  <foreignObject><div onclick="alert(3)">hi</div></foreignObject>
  <a href="javascript:alert(4)"><circle cx="5" cy="5" r="2"/></a>
  <path id="a" d="M0 0L10 10" stroke-width="2" style="fill:url(#g)" fill="url(https://evil.example/t)"/>
  <animate attributeName="href" to="javascript:alert(5)"/>
  <style>@import url(https://evil.example/c.css);</style>
  <linearGradient id="g"><stop offset="0" stop-color="red"/></linearGradient>
  <text x="1" y="9">Label &amp; more</text>
</svg>`;

describe('sanitizeSvg', () => {
  it('keeps a clean, accessible drawing as it is: nothing to report', () => {
    const drawing =
      '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 4 4" role="img" aria-labelledby="t" focusable="false"><title id="t">Logo</title><rect width="4" height="4" aria-hidden="true"/></svg>';
    expect(checkSvg(drawing)).toEqual([]);
  });
  it('keeps the drawing and drops scripts, handlers, HTML, links and outside references, each located', () => {
    const { svg, removed, refused } = sanitizeSvg(HOSTILE);
    expect(refused).toBeNull();
    expect(svg).not.toMatch(
      /script|onload|onclick|foreignObject|javascript|evil\.example|animate|<style|<a /i,
    );
    expect(svg).toContain('<path id="a" d="M0 0L10 10" stroke-width="2" style="fill:url(#g)" />');
    expect(svg).toContain('<use xlink:href="#a" />');
    expect(svg).toContain('<circle cx="5" cy="5" r="2" />');
    expect(svg).toContain('<stop offset="0" stop-color="red" />');
    expect(svg).toContain('<text x="1" y="9">Label &#x26; more</text>');
    expect(svg).toMatch(
      /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg" xmlns:xlink="http:\/\/www\.w3\.org\/1999\/xlink" viewBox="0 0 10 10">/,
    );
    expect(removed.map((r) => `${r.line}:${r.column} ${r.message}`)).toEqual([
      '2:1 event handler onload on <svg> removed',
      '3:3 <script> removed',
      '4:25 link to https://evil.example/x.svg#a on <use> removed',
      '5:3 <foreignObject> removed',
      '6:3 <a> removed (its drawing kept)',
      '7:3 reference to https://evil.example/t on <path> removed',
      '8:3 <animate> removed',
      '9:3 <style> removed',
    ]);
  });

  it('leaves a clean SVG as it draws, and adds the namespace a file needs', () => {
    const clean = '<svg viewBox="0 0 4 4"><rect width="4" height="4" fill="#0a0"/></svg>';
    expect(sanitizeSvg(clean)).toEqual({
      svg: '<svg viewBox="0 0 4 4" xmlns="http://www.w3.org/2000/svg"><rect width="4" height="4" fill="#0a0" /></svg>\n',
      removed: [],
      refused: null,
    });
    expect(checkSvg(clean)).toEqual([]);
  });

  it('refuses what is not an SVG, with a location', () => {
    expect(checkSvg('<html><body><script>alert(1)</script></body></html>')).toEqual([
      { line: 1, column: 1, message: 'has no <svg> element: not an SVG image' },
    ]);
    expect(sanitizeSvg('').svg).toBeNull();
  });

  it('property: no output ever holds a script, a handler or a link out of the file', () => {
    const piece = fc.constantFrom(
      '<script>x()</script>',
      '<g onclick="x()">',
      '</g>',
      '<a xlink:href="https://e.example">',
      '</a>',
      '<image href="https://e.example/i.png"/>',
      '<image href="data:image/png;base64,AAAA"/>',
      '<rect style="fill:url(&quot;https://e.example&quot;)"/>',
      '<foreignObject><iframe src="https://e.example"></iframe></foreignObject>',
      '<![CDATA[<script>x()</script>]]>',
      '<set attributeName="onload" to="x()"/>',
      '<use href="#ok"/>',
      '<SCRIPT>x()</SCRIPT>',
      '<svg onload="x()">',
      'text <b onmouseover="x()">b</b>',
    );
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 12 }), (pieces) => {
        const { svg } = sanitizeSvg(`<svg>${pieces.join('')}</svg>`);
        expect(svg).not.toMatch(
          /<script|\son[a-z]+=|<foreignObject|<iframe|<set|<a[\s>]|e\.example|<b[\s>]/i,
        );
      }),
      { numRuns: 300 },
    );
  });
});
