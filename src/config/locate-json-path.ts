import { type Node, type ParseError, parse, parseTree, printParseErrorCode } from 'jsonc-parser';

export type ConfigPath = readonly (string | number)[];
/** Where a setting sits in its file, or undefined where the format has no lines (JS configs). */
export type Locator = (path: ConfigPath) => { line: number; column: number } | undefined;

/** JSON as users write it in config files: comments and trailing commas allowed (JSONC). */
const JSONC = { allowTrailingComma: true, disallowComments: false } as const;

/**
 * Parses JSONC. Returns the value, or the first syntax error with its line, column and reason.
 * A byte-order mark is ignored, as editors on Windows write one.
 */
export function parseJsonc(
  text: string,
): { value: unknown } | { error: { line: number; column: number; reason: string } } {
  const source = text.replace(/^\uFEFF/, '');
  const problems: ParseError[] = [];
  const value: unknown = parse(source, problems, JSONC);
  const first = problems[0];
  if (!first) return { value };
  return {
    error: { ...positionOf(source, first.offset), reason: reasonOf(printParseErrorCode(first.error)) },
  };
}

const REASONS: Record<string, string> = {
  InvalidSymbol: 'unexpected character (strings and keys need "double quotes")',
  InvalidNumberFormat: 'invalid number',
  PropertyNameExpected: 'a "quoted" key is expected',
  ValueExpected: 'a value is expected',
  ColonExpected: 'a colon is expected after the key',
  CommaExpected: 'a comma is expected between entries',
  CloseBraceExpected: 'a closing } is expected',
  CloseBracketExpected: 'a closing ] is expected',
  EndOfFileExpected: 'the file goes on after its one value ends',
  InvalidCommentToken: 'invalid comment',
  UnexpectedEndOfComment: 'a /* comment is not closed',
  UnexpectedEndOfString: 'a string is not closed',
  UnexpectedEndOfNumber: 'a number ends too early',
  InvalidUnicode: 'invalid \\u escape',
  InvalidEscapeCharacter: 'invalid escape character',
  InvalidCharacter: 'invalid character (a line break or control character inside a string)',
};

function reasonOf(code: string): string {
  return REASONS[code] ?? code;
}

/**
 * Finds where a JSON path (`["herald","notes","types"]`) sits in JSONC text, so config errors
 * can name a line and column: the key of the deepest path segment that exists in the text.
 */
export function createJsonLocator(text: string, prefix: ConfigPath = []): Locator {
  const source = text.replace(/^\uFEFF/, '');
  const root = parseTree(source, [], JSONC);
  return (path) => positionOf(source, offsetOf(root, [...prefix, ...path]));
}

export function locateJsonPath(text: string, path: ConfigPath): { line: number; column: number } {
  return createJsonLocator(text)(path) ?? { line: 1, column: 1 };
}

function offsetOf(root: Node | undefined, path: ConfigPath): number {
  let node = root;
  let best = 0;
  for (const segment of path) {
    if (node?.type === 'object' && typeof segment === 'string') {
      const property = node.children?.find((p) => p.children?.[0]?.value === segment);
      if (!property) break;
      best = property.offset;
      node = property.children?.[1];
    } else if (node?.type === 'array' && typeof segment === 'number') {
      const item = node.children?.[segment];
      if (!item) break;
      best = item.offset;
      node = item;
    } else {
      break;
    }
  }
  return best;
}

export function positionOf(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text[i] === '\n') {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}
