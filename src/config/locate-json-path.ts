/**
 * Finds where a JSON path (`["herald","notes","types"]`) sits in the source text, so config errors
 * can name a line and column. A small scanner: it only needs positions, not values.
 * Returns the position of the deepest path segment it could reach.
 */
export function locateJsonPath(
  text: string,
  path: readonly (string | number)[],
): { line: number; column: number } {
  let index = 0;
  let best = 0;

  const skipWhitespace = () => {
    while (index < text.length && /\s/.test(text[index]!)) index++;
  };
  const skipString = (): string => {
    const start = ++index;
    while (index < text.length && text[index] !== '"') index += text[index] === '\\' ? 2 : 1;
    const raw = text.slice(start, index);
    index++;
    try {
      return JSON.parse(`"${raw}"`) as string;
    } catch {
      return raw;
    }
  };
  const skipValue = (): void => {
    skipWhitespace();
    const char = text[index];
    if (char === '"') {
      skipString();
    } else if (char === '{' || char === '[') {
      const close = char === '{' ? '}' : ']';
      index++;
      skipWhitespace();
      while (index < text.length && text[index] !== close) {
        if (char === '{') {
          skipWhitespace();
          skipString();
          skipWhitespace();
          index++; // colon
        }
        skipValue();
        skipWhitespace();
        if (text[index] === ',') index++;
        skipWhitespace();
      }
      index++;
    } else {
      while (index < text.length && !/[,}\]\s]/.test(text[index]!)) index++;
    }
  };

  // Walk down the path, one container at a time.
  for (const segment of path) {
    skipWhitespace();
    const char = text[index];
    if (char === '{' && typeof segment === 'string') {
      index++;
      let found = false;
      for (;;) {
        skipWhitespace();
        if (index >= text.length || text[index] === '}') break;
        const keyStart = index;
        const key = skipString();
        skipWhitespace();
        index++; // colon
        if (key === segment) {
          best = keyStart;
          found = true;
          break;
        }
        skipValue();
        skipWhitespace();
        if (text[index] === ',') index++;
      }
      if (!found) break;
    } else if (char === '[' && typeof segment === 'number') {
      index++;
      for (let i = 0; i < segment; i++) {
        skipValue();
        skipWhitespace();
        if (text[index] === ',') index++;
      }
      skipWhitespace();
      best = index;
    } else {
      break;
    }
  }
  return positionOf(text, best);
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
