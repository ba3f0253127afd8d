import type { Element, Root as HastRoot, RootContent } from 'hast';

/**
 * Calls `visitor` on every element of the tree, parents before children, in document order:
 * what `visit(tree, 'element', visitor)` does, without unist-util-visit's per-node closures and
 * test calls, which cost as much as the walk's work on a docs page. The visitor may change an
 * element's properties and its descendants' text, not the shape of the tree.
 */
export function eachElement(tree: HastRoot, visitor: (node: Element) => void): void {
  walk(tree.children, visitor);
}

function walk(children: RootContent[], visitor: (node: Element) => void): void {
  for (const child of children) {
    if (child.type !== 'element') continue;
    visitor(child);
    walk(child.children, visitor);
  }
}

/** Whether any text under the tree is more than white space, stopping at the first that is. */
export function hasVisibleText(node: { children: RootContent[] }): boolean {
  for (const child of node.children) {
    if (child.type === 'text' && child.value.trim() !== '') return true;
    if (child.type === 'element' && hasVisibleText(child)) return true;
  }
  return false;
}
