import { appendFile, mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { TrackerItem } from '../core/delivery-ops/index.js';
import type { CodeHostRelease, TrackerPort } from '../ports/index.js';

/**
 * The embedded default of a tracker whose token is not set: every comment, label, transition
 * and release page is one JSON line in `<dir>/<tracker>.jsonl`, to read before turning the
 * tracker on. Nothing leaves the machine.
 */
export function createTrackerOutbox(tracker: TrackerPort['tracker'], dir: string): TrackerPort {
  const file = path.join(dir, `${tracker}.jsonl`);
  const lines = async (): Promise<Record<string, unknown>[]> => {
    const text = await readFile(file, 'utf8').catch(() => '');
    return text
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as Record<string, unknown>);
  };
  let count = 0;
  const write = async (entry: Record<string, unknown>) => {
    await mkdir(dir, { recursive: true });
    await appendFile(file, `${JSON.stringify(entry)}\n`);
  };
  const same = (a: unknown, item: TrackerItem) => JSON.stringify(a) === JSON.stringify(item);
  const releaseOf = (line: Record<string, unknown>): CodeHostRelease => ({
    id: String(line.id),
    url: null,
    body: String(line.body ?? ''),
  });

  return {
    tracker,
    site: `outbox:${file}`,
    description: `${tracker} outbox ${file}`,
    readItem: async () => ({ labels: [], locked: null, url: null }),
    async postComment(item, comment) {
      const id = `${Date.now()}-${++count}`;
      await write({ id, type: 'comment', item, text: comment.text, marker: comment.marker });
      return { id, url: null };
    },
    async findComment(item, marker) {
      const found = (await lines()).find(
        (l) => l.type === 'comment' && same(l.item, item) && l.marker === marker,
      );
      return found ? { id: String(found.id), url: null } : null;
    },
    addLabels: (item, labels) => write({ type: 'labels', item, labels }),
    async transition(item, name) {
      await write({ type: 'transition', item, name });
      return true;
    },
    async findRelease(tag) {
      const found = (await lines()).filter((l) => l.type === 'release' && l.tag === tag).at(-1);
      return found ? releaseOf(found) : null;
    },
    async createRelease(draft) {
      const line = { id: `release-${draft.tag}`, type: 'release', ...draft };
      await write(line);
      return releaseOf(line);
    },
    async updateRelease(existing, draft) {
      const line = { id: existing.id, type: 'release', ...draft };
      await write(line);
      return releaseOf(line);
    },
    verify: async () => [{ ok: true, check: `${tracker} outbox`, detail: `comments are written to ${file}` }],
  };
}
