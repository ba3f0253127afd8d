/**
 * CHANGELOG.md editing, pure. Each release section starts with a heading whose first bracketed or
 * bare token is the version (`## [1.2.0](…) (2026-01-01)` or `## 1.2.0`). conventional-changelog
 * writes a major release as `# [2.0.0](…)`, and patches as `## <small>[1.0.1](…)</small>` (or, in
 * older versions, `### [1.0.1](…)`): all of them start a section. Upserting replaces that
 * version's section or inserts a new one in version order position (newest first).
 */
const sectionHeading =
  /^#{1,3}\s+(?:<small>\s*)?\[?v?([0-9]+\.[0-9]+\.[0-9]+(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?)\]?/;

/** Where each release section starts. */
function sectionStarts(lines: string[]): { line: number; version: string }[] {
  const starts: { line: number; version: string }[] = [];
  lines.forEach((line, i) => {
    const match = sectionHeading.exec(line);
    if (match) starts.push({ line: i, version: match[1]! });
  });
  return starts;
}

export const CHANGELOG_TITLE = '# Changelog\n';

export function upsertChangelogSection(
  existing: string,
  version: string,
  section: string,
  compareVersions: (a: string, b: string) => number,
): string {
  const body = section.trim();
  const lines = existing.replace(/\r\n/g, '\n').split('\n');
  const starts = sectionStarts(lines);
  const index = starts.findIndex((s) => s.version === version);
  if (index !== -1) {
    const start = starts[index]!.line;
    const end = starts[index + 1]?.line ?? lines.length;
    const before = lines.slice(0, start).join('\n');
    const after = lines.slice(end).join('\n');
    return joinParts(before, body, after);
  }
  const next = starts.find((s) => compareVersions(s.version, version) < 0);
  if (next) {
    return joinParts(lines.slice(0, next.line).join('\n'), body, lines.slice(next.line).join('\n'));
  }
  if (starts.length === 0) {
    const head = existing.trim() === '' ? CHANGELOG_TITLE : existing;
    return joinParts(head, body, '');
  }
  return joinParts(lines.join('\n'), body, '');
}

function joinParts(before: string, section: string, after: string): string {
  const parts = [before.trimEnd(), section, after.trim()].filter((p) => p !== '');
  return `${parts.join('\n\n')}\n`;
}

/** A changelog as people keep it: what stands above the first release, then one section per release. */
export interface ChangelogParts {
  preamble: string;
  sections: { version: string; text: string }[];
}

export function splitChangelog(text: string): ChangelogParts {
  const lines = text.replace(/\r\n/g, '\n').split('\n');
  const starts = sectionStarts(lines);
  return {
    preamble: lines
      .slice(0, starts[0]?.line ?? lines.length)
      .join('\n')
      .trim(),
    sections: starts.map((start, i) => ({
      version: start.version,
      text: lines
        .slice(start.line, starts[i + 1]?.line ?? lines.length)
        .join('\n')
        .trim(),
    })),
  };
}

export interface MergedChangelog {
  text: string;
  /** Versions whose section in the file differs from what Herald generates (edited by hand, or generated otherwise). */
  differing: string[];
  /** Versions the file has and Herald does not generate: kept as written. */
  kept: string[];
  /** Versions Herald generates that the file did not have. */
  added: string[];
}

const normalise = (text: string) =>
  text
    .replace(/\r\n/g, '\n')
    .split('\n')
    .map((line) => line.trimEnd())
    .join('\n')
    .trim();

/**
 * The rebuilt changelog that keeps what people wrote: the preamble above the first release and
 * every section of a version Herald does not generate stay as they are; generated sections take
 * their version's place, newest first. Which existing sections differ is reported, so a caller can
 * refuse to overwrite edits.
 */
export function mergeChangelog(
  existing: string,
  generated: { version: string; markdown: string }[],
  compareVersions: (a: string, b: string) => number,
): MergedChangelog {
  const file = splitChangelog(existing);
  const fresh = new Map(generated.map((s) => [s.version, s.markdown.trim()]));
  const old = new Map(file.sections.map((s) => [s.version, s.text]));
  const versions = [...new Set([...fresh.keys(), ...old.keys()])].sort((a, b) => compareVersions(b, a));
  const body = versions.map((v) => fresh.get(v) ?? old.get(v)!);
  const preamble = file.preamble === '' ? CHANGELOG_TITLE.trim() : file.preamble;
  return {
    text: `${[preamble, ...body].join('\n\n')}\n`,
    differing: versions.filter(
      (v) => fresh.has(v) && old.has(v) && normalise(fresh.get(v)!) !== normalise(old.get(v)!),
    ),
    kept: versions.filter((v) => !fresh.has(v)),
    added: versions.filter((v) => !old.has(v)),
  };
}
