/** What the existing release tags say about the tag format. */
export type TagFormatGuess =
  | { kind: 'none' }
  /** One product: `v1.2.3` → "v${version}", `1.2.3` → "${version}", `release-1.2.3` → "release-${version}". */
  | { kind: 'single'; tagFormat: string; example: string }
  /** A monorepo: `web@1.2.3`, `@acme/api@2.0.0`: one tag series per package. */
  | { kind: 'packages'; names: string[]; example: string };

const VERSION_AT_END = /\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$/;

/** Pure: the format most tags follow; tags that carry no version are ignored. */
export function guessTagFormat(tags: readonly string[]): TagFormatGuess {
  const prefixes = new Map<string, { count: number; example: string }>();
  const packages = new Map<string, string>();
  let packageTags = 0;
  for (const tag of tags) {
    const match = VERSION_AT_END.exec(tag);
    if (!match) continue;
    const prefix = tag.slice(0, match.index);
    if (/[\s{}$]/.test(prefix)) continue;
    if (prefix.length > 1 && prefix.endsWith('@')) {
      packageTags++;
      if (!packages.has(prefix.slice(0, -1))) packages.set(prefix.slice(0, -1), tag);
      continue;
    }
    const seen = prefixes.get(prefix) ?? { count: 0, example: tag };
    seen.count++;
    prefixes.set(prefix, seen);
  }
  const [prefix, best] = [...prefixes.entries()].sort((a, b) => b[1].count - a[1].count)[0] ?? [];
  if (packageTags > 0 && packageTags >= (best?.count ?? 0)) {
    return { kind: 'packages', names: [...packages.keys()].sort(), example: [...packages.values()][0]! };
  }
  if (prefix === undefined || !best) return { kind: 'none' };
  return { kind: 'single', tagFormat: `${prefix}\${version}`, example: best.example };
}
