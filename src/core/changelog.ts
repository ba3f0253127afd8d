/**
 * CHANGELOG.md editing, pure. Each release section starts with a level-2 heading whose first
 * bracketed or bare token is the version (`## [1.2.0](…) (2026-01-01)` or `## 1.2.0`). Upserting
 * replaces that version's section or inserts a new one in version order position (newest first).
 */
const sectionHeading = /^##\s+\[?v?([0-9]+\.[0-9]+\.[0-9]+(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?)\]?/;

export const CHANGELOG_TITLE = '# Changelog\n';

export function upsertChangelogSection(
  existing: string,
  version: string,
  section: string,
  compareVersions: (a: string, b: string) => number,
): string {
  const body = section.trim();
  const lines = existing.replace(/\r\n/g, '\n').split('\n');
  const starts: { line: number; version: string }[] = [];
  lines.forEach((line, i) => {
    const match = sectionHeading.exec(line);
    if (match) starts.push({ line: i, version: match[1]! });
  });
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
