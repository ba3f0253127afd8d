import type { Change } from '../model/index.js';

export interface HistoryEntry {
  change: Change;
  parents: string[];
}

export interface FoldResult {
  /** Changes newest first: merges folded, reverted pairs cancelled, skipped ones dropped. */
  changes: Change[];
  cancelledByRevert: number;
  skipped: number;
}

/**
 * Pure: turns the commits of a range (newest first, as `git log` streams them) into the changes a
 * release is made of. Linear in the number of commits: every lookup is a map, never a scan.
 *
 * - A merged PR whose title is conventional becomes one change; its branch commits fold into it.
 *   A merge with a non-conventional title is not a change; its branch commits carry the PR number.
 * - A revert and the commit it reverts cancel when both are in range (a reverted revert restores
 *   the original). Reverting a merge cancels the whole PR.
 * - Commits marked `[skip changelog]` are dropped.
 */
export function foldHistory(entries: readonly HistoryEntry[], targetHash: string): FoldResult {
  const byHash = new Map<string, HistoryEntry>();
  for (const entry of entries) byHash.set(entry.change.hash, entry);

  // The mainline is the first-parent chain from the target; branch commits hang off it.
  const mainline = new Set<string>();
  for (let hash: string | undefined = targetHash; hash && byHash.has(hash) && !mainline.has(hash); ) {
    mainline.add(hash);
    hash = byHash.get(hash)!.parents[0];
  }

  const memberOf = new Map<string, string>();
  const members = new Map<string, string[]>();
  for (const { change, parents } of entries) {
    if (parents.length < 2 || memberOf.has(change.hash)) continue;
    const collected: string[] = [];
    const stack = parents.slice(1);
    while (stack.length > 0) {
      const hash = stack.pop()!;
      if (mainline.has(hash) || memberOf.has(hash) || hash === change.hash) continue;
      const entry = byHash.get(hash);
      if (!entry) continue;
      memberOf.set(hash, change.hash);
      collected.push(hash);
      stack.push(...entry.parents);
    }
    members.set(change.hash, collected);
  }

  // Reverts, newest first: a commit that a newer in-range commit reverts is cancelled with it.
  const revertedBy = new Map<string, string>();
  const abbreviated: { prefix: string; by: string }[] = [];
  const cancelled = new Set<string>();
  const cancel = (hash: string) => {
    cancelled.add(hash);
    for (const member of members.get(hash) ?? []) cancelled.add(member);
  };
  for (const { change } of entries) {
    let by = revertedBy.get(change.hash);
    if (by === undefined && abbreviated.length > 0) {
      const match = abbreviated.find((a) => change.hash.startsWith(a.prefix));
      by = match?.by;
    }
    if (by !== undefined && !cancelled.has(by)) {
      cancel(change.hash);
      cancel(by);
      continue;
    }
    if (cancelled.has(change.hash)) continue;
    const target = change.revert?.hash;
    if (target) {
      if (target.length >= 40) revertedBy.set(target, change.hash);
      else abbreviated.push({ prefix: target, by: change.hash });
    }
  }

  const changes: Change[] = [];
  let skipped = 0;
  for (const { change } of entries) {
    if (cancelled.has(change.hash)) continue;
    if (change.skip) {
      skipped++;
      continue;
    }
    const mergeHash = memberOf.get(change.hash);
    const merge = mergeHash ? byHash.get(mergeHash)!.change : null;
    if (merge && merge.type !== null && !merge.skip) continue; // folded into the PR's change
    if (change.merge && change.type === null) continue; // a merge without a conventional title is no change
    if (merge?.pullRequest && change.pullRequest === null) {
      changes.push({ ...change, pullRequest: merge.pullRequest });
      continue;
    }
    if (change.merge) {
      changes.push(
        foldMembers(
          change,
          (members.get(change.hash) ?? []).map((h) => byHash.get(h)!.change),
        ),
      );
      continue;
    }
    changes.push(change);
  }
  return { changes, cancelledByRevert: cancelled.size, skipped };
}

function foldMembers(merge: Change, branch: Change[]): Change {
  const live = branch.filter((c) => !c.skip);
  const authors = [...merge.authors];
  for (const author of live.flatMap((c) => c.authors)) {
    if (!authors.some((a) => (a.email && a.email === author.email) || a.name === author.name))
      authors.push(author);
  }
  const references = [...merge.references];
  for (const ref of live.flatMap((c) => c.references)) {
    if (
      !references.some((r) => r.prefix === ref.prefix && r.id === ref.id && r.repository === ref.repository)
    )
      references.push(ref);
  }
  return {
    ...merge,
    breaking: [...merge.breaking, ...live.flatMap((c) => c.breaking)],
    authors,
    references,
    labels: [...new Set([...merge.labels, ...live.flatMap((c) => c.labels)])],
    includes: live.map((c) => c.hash),
  };
}

/** The issue/PR numbers of this repository that changes refer to: what a tracker is asked about. */
export function trackerIds(changes: readonly Change[]): string[] {
  const ids = new Set<string>();
  for (const change of changes) {
    if (change.pullRequest) ids.add(change.pullRequest);
    for (const ref of change.references) if (ref.prefix === '#' && !ref.repository) ids.add(ref.id);
  }
  return [...ids];
}
