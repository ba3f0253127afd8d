import semver from 'semver';
import { foldHistory, type HistoryEntry } from '../core/fold-history.js';
import { createCommitParser, type ParseOptions } from '../core/parse-commit.js';
import type { TagFormat } from '../core/tag-format.js';
import type { Collected, ReleaseRange } from '../model/index.js';
import type { GitPort, IssueTrackerPort, Logger } from '../ports/index.js';

export interface CollectInput {
  /** Target ref; default HEAD. */
  to?: string | undefined;
  /** Explicit start ref (exclusive); default the previous release tag. */
  from?: string | undefined;
  /** Only commits touching this path (monorepo package). */
  path?: string | null | undefined;
  tagFormat: TagFormat;
  /** A stable release compares against the previous stable one unless this is "any". */
  previousRelease: 'stable' | 'any';
  /** The version being released when known in advance (`--release-version`). */
  releaseVersion?: string | undefined;
  parse: ParseOptions;
}

export interface CollectPorts {
  git: GitPort;
  issues: IssueTrackerPort;
  logger: Logger;
}

/** Collect: the range since the previous release and the changes in it. Reads git; may ask a tracker. */
export async function collect(input: CollectInput, ports: CollectPorts): Promise<Collected> {
  const range = await resolveRange(input, ports.git);
  const parse = createCommitParser(input.parse);
  const entries: HistoryEntry[] = [];
  for await (const raw of ports.git.commits({
    from: range.from?.hash ?? null,
    to: range.to.hash,
    path: range.path,
  })) {
    entries.push({ change: parse(raw), parents: raw.parents });
  }
  const folded = foldHistory(entries, range.to.hash);
  const warnings: string[] = [];

  const ids = new Set<string>();
  for (const change of folded.changes) {
    if (change.pullRequest) ids.add(change.pullRequest);
    for (const ref of change.references) if (ref.prefix === '#' && !ref.repository) ids.add(ref.id);
  }
  const looked = ids.size > 0 ? await ports.issues.lookup({ ids: [...ids] }) : { issues: [], warnings: [] };
  warnings.push(...looked.warnings);
  for (const warning of warnings) ports.logger.warn(warning);

  return { schemaVersion: 1, range, changes: folded.changes, issues: looked.issues, warnings };
}

/**
 * The previous release is the highest-versioned release tag that is an ancestor of the target
 * (not the newest by date, and not a tag on another branch): maintenance branches and prerelease
 * lines then get the right ranges.
 */
export async function resolveRange(input: CollectInput, git: GitPort): Promise<ReleaseRange> {
  const toRef = input.to ?? 'HEAD';
  const toHash = await git.resolve(toRef);
  const ownTags = (await git.tagsAt(toHash))
    .map((tag) => ({ tag, version: input.tagFormat.versionOf(tag) }))
    .filter((t): t is { tag: string; version: string } => t.version !== null)
    .sort((a, b) => semver.rcompare(a.version, b.version));
  const toVersion = input.releaseVersion ?? ownTags[0]?.version ?? null;
  const toTag = input.releaseVersion
    ? input.tagFormat.tagOf(input.releaseVersion)
    : (ownTags[0]?.tag ?? null);
  const date = await git.commitDate(toHash);
  const to = { ref: toRef, hash: toHash, tag: toTag, version: toVersion, date };
  const path = input.path ?? null;

  if (input.from !== undefined) {
    const fromHash = await git.resolve(input.from);
    const fromTags = (await git.tagsAt(fromHash)).map((tag) => ({
      tag,
      version: input.tagFormat.versionOf(tag),
    }));
    const tagged = fromTags.find((t) => t.version !== null);
    return {
      from: { ref: input.from, hash: fromHash, tag: tagged?.tag ?? null, version: tagged?.version ?? null },
      to,
      path,
    };
  }

  const stableOnly =
    input.previousRelease === 'stable' && (toVersion === null || semver.prerelease(toVersion) === null);
  let best: { tag: string; hash: string; version: string } | null = null;
  for (const { tag, hash } of await git.mergedTags(toHash, input.tagFormat.glob)) {
    const version = input.tagFormat.versionOf(tag);
    if (version === null || hash === toHash) continue;
    if (toVersion !== null && semver.gte(version, toVersion)) continue;
    if (stableOnly && semver.prerelease(version) !== null) continue;
    if (best === null || semver.gt(version, best.version)) best = { tag, hash, version };
  }
  return {
    from: best ? { ref: best.tag, hash: best.hash, tag: best.tag, version: best.version } : null,
    to,
    path,
  };
}
