/**
 * Jira REST v3 takes comments only in Atlassian Document Format (a plain string is v2's). A
 * Herald comment is one line of text with links: each paragraph becomes an ADF paragraph, each
 * http(s) address in it a text node with a link mark (`marks: [{ type: 'link', attrs: { href } }]`),
 * the rest plain text nodes. Nothing in the text is read as markup.
 */
export interface AdfText {
  type: 'text';
  text: string;
  marks?: { type: 'link'; attrs: { href: string } }[];
}

export interface AdfDoc {
  type: 'doc';
  version: 1;
  content: { type: 'paragraph'; content: AdfText[] }[];
}

// One pass, no backtracking beyond a run of non-space characters: linear in the text.
const URL_IN_TEXT = /https?:\/\/[^\s<>"]+/g;
// A sentence's closing punctuation is not part of the address.
const TRAILING = /[.,;:!?)\]]+$/;

export function commentToAdf(text: string): AdfDoc {
  const paragraphs = text
    .split(/\n\s*\n/)
    .map((p) => p.trim())
    .filter((p) => p !== '');
  return {
    type: 'doc',
    version: 1,
    content: paragraphs.map((p) => ({ type: 'paragraph', content: textNodes(p) })),
  };
}

function textNodes(paragraph: string): AdfText[] {
  const nodes: AdfText[] = [];
  const plain = (text: string) => {
    if (text) nodes.push({ type: 'text', text });
  };
  let at = 0;
  for (const match of paragraph.matchAll(URL_IN_TEXT)) {
    const href = match[0].replace(TRAILING, '');
    plain(paragraph.slice(at, match.index));
    nodes.push({ type: 'text', text: href, marks: [{ type: 'link', attrs: { href } }] });
    at = match.index + href.length;
  }
  plain(paragraph.slice(at));
  return nodes;
}
