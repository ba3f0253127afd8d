import semver from 'semver';
import { foldHistory, type HistoryEntry, trackerIds } from '../core/fold-history.js';
import { createCommitParser, type ParseOptions } from '../core/parse-commit.js';
import type { TagFormat } from '../core/tag-format.js';
import { errors } from '../errors/index.js';
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
  const cut = await ports.git.shallowCommits();
  for await (const raw of ports.git.commits({
    from: range.from?.hash ?? null,
    to: range.to.hash,
    path: range.path,
  })) {
    if (cut.has(raw.hash)) throw errors.shallowHistory(describeRange(range));
    entries.push({ change: parse(raw), parents: raw.parents });
  }
  const folded = foldHistory(entries, range.to.hash);
  const warnings: string[] = [];

  const ids = trackerIds(folded.changes);
  const looked = ids.length > 0 ? await ports.issues.lookup({ ids }) : { issues: [], warnings: [] };
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
  const [target, candidates, from] = await Promise.all([
    git.describe(toRef),
    input.from === undefined ? git.tags(input.tagFormat.glob) : Promise.resolve([]),
    input.from === undefined ? Promise.resolve(null) : git.describe(input.from),
  ]);
  const ownTags = releaseTags(target.tags, input.tagFormat);
  const toVersion = input.releaseVersion ?? ownTags[0]?.version ?? null;
  const toTag = input.releaseVersion
    ? input.tagFormat.tagOf(input.releaseVersion)
    : (ownTags[0]?.tag ?? null);
  const to = { ref: toRef, hash: target.hash, tag: toTag, version: toVersion, date: target.date };
  const path = input.path ?? null;

  if (from !== null) {
    const tagged = releaseTags(from.tags, input.tagFormat)[0];
    return {
      from: { ref: input.from!, hash: from.hash, tag: tagged?.tag ?? null, version: tagged?.version ?? null },
      to,
      path,
    };
  }

  const stableOnly =
    input.previousRelease === 'stable' && (toVersion === null || semver.prerelease(toVersion) === null);
  // Each version is parsed once: sorting hundreds of tags by their strings parses each ~20 times.
  const upTo = toVersion === null ? null : semver.parse(toVersion);
  const eligible = candidates
    .map(({ tag, hash }) => ({ tag, hash, version: input.tagFormat.versionOf(tag) }))
    .filter(
      (t): t is { tag: string; hash: string; version: string } =>
        t.version !== null && t.hash !== target.hash,
    )
    .map((t) => ({ ...t, parsed: semver.parse(t.version)! }))
    .filter((t) => upTo === null || semver.lt(t.parsed, upTo))
    .filter((t) => !stableOnly || t.parsed.prerelease.length === 0)
    .sort((a, b) => semver.rcompare(a.parsed, b.parsed));
  const best = await highestAncestor(eligible, target.hash, input.tagFormat.glob, git);
  if (!best) await requireAllTags(input, git, toVersion, new Set(candidates.map((c) => c.tag)));
  return {
    from: best ? { ref: best.tag, hash: best.hash, tag: best.tag, version: best.version } : null,
    to,
    path,
  };
}

/**
 * No previous release found: right for a first release, wrong for a clone without the history or
 * the tags (CI checkouts are shallow and tagless by default), which would give silently wrong notes.
 */
async function requireAllTags(
  input: CollectInput,
  git: GitPort,
  toVersion: string | null,
  local: Set<string>,
): Promise<void> {
  if ((await git.shallowCommits()).size > 0) throw errors.shallowHistory(`${input.to ?? 'HEAD'}`);
  const remote = await git.remoteTags(input.tagFormat.glob);
  const missing = (remote ?? []).filter((tag) => {
    const version = input.tagFormat.versionOf(tag);
    return version !== null && !local.has(tag) && (toVersion === null || semver.lt(version, toVersion));
  });
  if (missing.length > 0) throw errors.missingTags(missing.sort(semverTagOrder(input.tagFormat)));
}

const semverTagOrder = (format: TagFormat) => (a: string, b: string) =>
  semver.rcompare(format.versionOf(a)!, format.versionOf(b)!);

function describeRange(range: ReleaseRange): string {
  const to = range.to.tag ?? range.to.ref;
  return range.from ? `${range.from.tag ?? range.from.ref}..${to}` : to;
}

/**
 * The first tag (highest version first) that is an ancestor of the target. Usually the first
 * candidate is; when several are not (a maintenance branch behind newer releases), one
 * `--merged` query answers for all of them instead of one check per tag.
 */
async function highestAncestor<T extends { tag: string; hash: string }>(
  sorted: T[],
  target: string,
  glob: string,
  git: GitPort,
): Promise<T | null> {
  const DIRECT_CHECKS = 3;
  for (const candidate of sorted.slice(0, DIRECT_CHECKS)) {
    if (await git.isAncestor(candidate.hash, target)) return candidate;
  }
  if (sorted.length <= DIRECT_CHECKS) return null;
  const merged = new Set((await git.mergedTags(target, glob)).map((t) => t.tag));
  return sorted.slice(DIRECT_CHECKS).find((t) => merged.has(t.tag)) ?? null;
}

function releaseTags(tags: string[], format: TagFormat): { tag: string; version: string }[] {
  return tags
    .map((tag) => ({ tag, version: format.versionOf(tag) }))
    .filter((t): t is { tag: string; version: string } => t.version !== null)
    .sort((a, b) => semver.rcompare(a.version, b.version));
}
