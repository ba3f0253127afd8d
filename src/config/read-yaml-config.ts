import { isMap, isSeq, LineCounter, type Node, parseDocument } from 'yaml';
import { errors } from '../errors/index.js';
import type { ConfigPath, Locator } from './locate-json-path.js';

/**
 * Parses a YAML config file (`.releaserc`, `.releaserc.yaml`), keeping positions so validation
 * can name the line of a bad setting. Loaded only when such a file exists: most repositories
 * use JSON, and the YAML parser is a large part of start-up.
 */
export function readYamlConfig(text: string, file: string): { value: unknown; locate: Locator } {
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter, prettyErrors: false });
  const error = document.errors[0];
  if (error) {
    const { line, col } = lineCounter.linePos(error.pos[0]);
    throw errors.configSyntax({ file, line, column: col }, firstLine(error.message), 'YAML');
  }
  const locate: Locator = (path) => {
    const { line, col } = lineCounter.linePos(offsetOf(document.contents, path));
    return { line, column: col };
  };
  // Aliases are expanded with yaml's default cap (maxAliasCount), so a file cannot blow up.
  return { value: document.toJS(), locate };
}

function offsetOf(root: Node | null, path: ConfigPath): number {
  let node: unknown = root;
  let best = 0;
  for (const segment of path) {
    if (isMap(node)) {
      const pair = node.items.find((p) => String((p.key as { value?: unknown })?.value) === segment);
      const key = pair?.key as Node | undefined;
      if (!pair || !key?.range) break;
      best = key.range[0];
      node = pair.value;
    } else if (isSeq(node) && typeof segment === 'number') {
      const item = node.items[segment] as Node | undefined;
      if (!item?.range) break;
      best = item.range[0];
      node = item;
    } else {
      break;
    }
  }
  return best;
}

function firstLine(text: string): string {
  return text.split('\n')[0]!.replace(/ at line \d+, column \d+.*$/, '');
}
