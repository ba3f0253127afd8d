import type { TrackerItem } from '../../model/index.js';
import type { KeyCodec } from './key-codec.js';

export type { TrackerItem };

/**
 * What a tracker channel does, one ledger row each (target `tracker:<github|gitlab|jira>`):
 * `comment:<issue|pull>:<id>` posts the release comment on an item, `label:<issue|pull>:<id>` adds
 * the configured labels, `transition:issue:<key>` moves a Jira issue through the configured
 * transition, `release:<tag>` creates (or updates) the release page of the tag on the code host.
 * Ids and tags never hold ':' (git refuses ':' in a ref name), so keys split unambiguously.
 */
export type TrackerOp =
  | { kind: 'comment' | 'label' | 'transition'; item: TrackerItem }
  | { kind: 'release'; tag: string };

const ITEM_VERBS = new Set(['comment', 'label', 'transition']);
const ITEM_ID = /^[A-Za-z0-9_-]+$/;

export const trackerKeys: KeyCodec<TrackerOp> = {
  format(op) {
    return op.kind === 'release' ? `release:${op.tag}` : `${op.kind}:${op.item.kind}:${op.item.id}`;
  },

  parse(key) {
    if (key.startsWith('release:')) {
      const tag = key.slice('release:'.length);
      return tag && !tag.includes(':') ? { kind: 'release', tag } : null;
    }
    const [verb = '', kind, id, ...rest] = key.split(':');
    if (!ITEM_VERBS.has(verb) || rest.length > 0 || (kind !== 'issue' && kind !== 'pull')) return null;
    if (id === undefined || !ITEM_ID.test(id)) return null;
    return { kind: verb as 'comment' | 'label' | 'transition', item: { kind, id } };
  },
};
