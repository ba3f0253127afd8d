import { parseDocument } from 'yaml';
import type { DocMessage, DocSection } from '../../model/index.js';

/** Parses `sections.yml`: a list of `{ id, title, position }`. Problems are located, never thrown. */
export function readSections(text: string, file: string): { sections: DocSection[]; messages: DocMessage[] } {
  const messages: DocMessage[] = [];
  const report = (line: number, message: string) =>
    messages.push({ file, line, column: 1, message, ruleId: 'sections-file', severity: 'error' });
  const doc = parseDocument(text, { prettyErrors: true });
  if (doc.errors.length > 0) {
    for (const error of doc.errors)
      report(error.linePos?.[0]?.line ?? 1, `invalid YAML: ${error.message.split('\n')[0]}`);
    return { sections: [], messages };
  }
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: 50 });
  } catch {
    // yaml throws when aliases would expand past the limit ("billion laughs").
    report(1, 'sections.yml expands aliases (*name) more than 50 times; write the sections out');
    return { sections: [], messages };
  }
  if (!Array.isArray(data)) {
    report(1, 'sections.yml must be a list of sections, each with an id and a title');
    return { sections: [], messages };
  }
  const sections: DocSection[] = [];
  const items = (doc.contents as { items?: { range?: [number] }[] } | null)?.items ?? [];
  for (const [i, entry] of (data as unknown[]).entries()) {
    const line = (text.slice(0, items[i]?.range?.[0] ?? 0).match(/\n/g)?.length ?? 0) + 1;
    const record = (entry ?? {}) as Record<string, unknown>;
    if (typeof record.id !== 'string' || !/^[a-z0-9][a-z0-9._-]*$/.test(record.id)) {
      report(line, 'each section needs an "id" of lowercase letters, digits, ".", "_" or "-"');
    } else if (typeof record.title !== 'string' || record.title.trim() === '') {
      report(line, `section "${record.id}" needs a "title"`);
    } else if (sections.some((s) => s.id === record.id)) {
      report(line, `section "${record.id}" is listed twice`);
    } else {
      sections.push({
        id: record.id,
        title: record.title.trim(),
        position: typeof record.position === 'number' ? record.position : i + 1,
      });
    }
  }
  return { sections: sections.sort((a, b) => a.position - b.position), messages };
}
