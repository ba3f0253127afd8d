/** `/`-separated paths inside the docs tree; pure, no node:path (core stays platform-free). */

export function dirnameOf(path: string): string {
  const slash = path.lastIndexOf('/');
  return slash === -1 ? '' : path.slice(0, slash);
}

/** Resolves `target` against `dir`; null when it climbs out of the docs root. */
export function joinDocPath(dir: string, target: string): string | null {
  const parts = target.startsWith('/') ? [] : dir.split('/').filter(Boolean);
  for (const part of target.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (parts.length === 0) return null;
      parts.pop();
    } else {
      parts.push(part);
    }
  }
  return parts.join('/');
}

/** URLs with a scheme (`https:`, `mailto:`) or protocol-relative ones are not docs links. */
export function isExternalUrl(url: string): boolean {
  return /^[a-z][a-z0-9+.-]*:/i.test(url) || url.startsWith('//');
}

/** The path from folder `from` to `to`, both relative to one root (as node's path.posix.relative). */
export function relativePath(from: string, to: string): string {
  const parts = (p: string) => {
    const out: string[] = [];
    for (const part of p.split('/')) {
      if (part === '' || part === '.') continue;
      if (part === '..') out.pop();
      else out.push(part);
    }
    return out;
  };
  const [a, b] = [parts(from), parts(to)];
  let common = 0;
  while (common < a.length && common < b.length && a[common] === b[common]) common++;
  return [...a.slice(common).map(() => '..'), ...b.slice(common)].join('/');
}
