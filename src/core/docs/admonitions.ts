import type { Blockquote, Nodes, Paragraph, Root, Text } from 'mdast';

export const ADMONITION_KINDS = ['note', 'tip', 'important', 'warning', 'caution'] as const;
const marker = /^\[!(NOTE|TIP|IMPORTANT|WARNING|CAUTION)\][ \t]*(?:\r?\n|$)/i;

/**
 * remark plugin: GitHub-style alerts (`> [!NOTE]`) become
 * `<div class="admonition admonition-note"><p class="admonition-title">Note</p>…</div>`.
 * The same Markdown reads well on GitHub, and help centres get a styled callout.
 */
export function remarkAdmonitions() {
  return (tree: Root) => eachBlockquote(tree, toAdmonition);
}

/**
 * Every blockquote, outer ones first: a plain walk of the flow containers (phrasing content,
 * most of the tree, cannot hold a blockquote, and unist-util-visit would call a test per node).
 */
function eachBlockquote(node: Nodes, visitor: (node: Blockquote) => void): void {
  if (!('children' in node) || node.type === 'paragraph' || node.type === 'heading' || node.type === 'table')
    return;
  if (node.type === 'blockquote') visitor(node);
  for (const child of node.children) eachBlockquote(child, visitor);
}

function toAdmonition(node: Blockquote): void {
  const first = node.children[0];
  if (first?.type !== 'paragraph') return;
  const text = first.children[0];
  if (text?.type !== 'text') return;
  const match = marker.exec(text.value);
  if (!match) return;
  const kind = match[1]!.toLowerCase();
  (text as Text).value = text.value.slice(match[0].length);
  if (text.value === '') first.children.shift();
  if (first.children.length === 0) node.children.shift();
  const title: Paragraph = {
    type: 'paragraph',
    data: { hProperties: { className: ['admonition-title'] } },
    children: [{ type: 'text', value: kind[0]!.toUpperCase() + kind.slice(1) }],
  };
  node.children.unshift(title);
  node.data = {
    ...node.data,
    hName: 'div',
    hProperties: { className: ['admonition', `admonition-${kind}`] },
  };
}
