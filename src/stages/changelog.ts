import semver from 'semver';
import { buildNotes } from '../core/build-notes.js';
import { CHANGELOG_TITLE } from '../core/changelog.js';
import { pushTo } from '../core/collections.js';
import { foldHistory, type HistoryEntry, trackerIds } from '../core/fold-history.js';
import { createCommitParser } from '../core/parse-commit.js';
import { errors } from '../errors/index.js';
import type { Collected, IssueInfo, ReleaseRange } from '../model/index.js';
import { collect } from './collect.js';
import { type NotesPorts, type NotesRequest, notesInputFor, parseOptionsFor } from './notes.js';
import { changelogRenderOptions, createNotesRenderer } from './render-notes.js';

export interface ChangelogSection {
  version: string;
  tag: string;
  markdown: string;
}

interface Release {
  tag: string;
  hash: string;
  version: string;
  stable: boolean;
}

/**
 * Rebuilds a whole changelog: one section per release tag reachable from the target, newest
 * first. Without a path filter this is one pass over history: walking children before parents,
 * each commit belongs to the lowest-versioned release that contains it (stable sections count
 * from the previous stable release, prerelease sections from the previous tag).
 */
export async function rebuildChangelog(
  request: Omit<NotesRequest, 'from' | 'releaseVersion' | 'audiences'> & { audience: string },
  ports: NotesPorts,
): Promise<{ sections: ChangelogSection[]; text: string }> {
  const { config, tagFormat } = request;
  const [toHash, cut] = await Promise.all([
    ports.git.resolve(request.to ?? 'HEAD'),
    ports.git.shallowCommits(),
  ]);
  // The whole history is read: a shallow clone would lose the older releases' sections.
  if (cut.size > 0) throw errors.shallowHistory(request.to ?? 'HEAD');
  const releases: Release[] = [];
  for (const { tag, hash } of await ports.git.mergedTags(toHash, tagFormat.glob)) {
    const version = tagFormat.versionOf(tag);
    if (version !== null) releases.push({ tag, hash, version, stable: semver.prerelease(version) === null });
  }
  releases.sort((a, b) => semver.rcompare(a.version, b.version));
  const countFromAny = config.notes.previousRelease === 'any';
  const parseOptions = parseOptionsFor(config);

  const buckets = new Map<string, HistoryEntry[]>();
  const dates = new Map<string, string>();
  if (request.path === null) {
    const byHash = new Map<string, Release[]>();
    for (const release of releases) byHash.set(release.hash, [...(byHash.get(release.hash) ?? []), release]);
    const parse = createCommitParser(parseOptions);
    // Lowest release (any kind / stable only) containing each commit, handed from child to parent.
    const pendingAll = new Map<string, Release>();
    const pendingStable = new Map<string, Release>();
    const lower = (a: Release | undefined, b: Release | undefined) =>
      !a ? b : !b ? a : semver.lt(a.version, b.version) ? a : b;
    for await (const raw of ports.git.commits({ from: null, to: toHash, path: null })) {
      const own = byHash.get(raw.hash) ?? [];
      let all = pendingAll.get(raw.hash);
      let stable = pendingStable.get(raw.hash);
      pendingAll.delete(raw.hash);
      pendingStable.delete(raw.hash);
      for (const release of own) {
        all = lower(all, release);
        if (release.stable) stable = lower(stable, release);
        dates.set(release.tag, raw.committerDate);
      }
      for (const parent of raw.parents) {
        const a = lower(pendingAll.get(parent), all);
        if (a) pendingAll.set(parent, a);
        const s = lower(pendingStable.get(parent), stable);
        if (s) pendingStable.set(parent, s);
      }
      if (!all) continue; // after the newest release: unreleased
      const entry = { change: parse(raw), parents: raw.parents };
      const home = countFromAny ? all : stable;
      if (home) pushTo(buckets, home.tag, entry);
      if (!all.stable) pushTo(buckets, all.tag, entry);
    }
  }

  const collectedByTag = new Map<string, Collected>();
  for (const [i, release] of releases.entries()) {
    const previous = releases.slice(i + 1).find((r) => countFromAny || !release.stable || r.stable) ?? null;
    if (request.path !== null) {
      // A path filter hides the tagged commits themselves, so each release is read as its own range.
      const collected = await collect(
        {
          to: release.tag,
          from: previous?.tag,
          path: request.path,
          tagFormat,
          previousRelease: config.notes.previousRelease,
          parse: parseOptions,
        },
        { ...ports, issues: { name: 'none', lookup: async () => ({ issues: [], warnings: [] }) } },
      );
      collectedByTag.set(release.tag, collected);
      continue;
    }
    const range: ReleaseRange = {
      from: previous
        ? { ref: previous.tag, hash: previous.hash, tag: previous.tag, version: previous.version }
        : null,
      to: {
        ref: release.tag,
        hash: release.hash,
        tag: release.tag,
        version: release.version,
        date: dates.get(release.tag) ?? '',
      },
      path: null,
    };
    const folded = foldHistory(buckets.get(release.tag) ?? [], release.hash);
    collectedByTag.set(release.tag, {
      schemaVersion: 1,
      range,
      changes: folded.changes,
      issues: [],
      warnings: [],
    });
  }

  // One tracker lookup for the whole changelog.
  const ids = trackerIds([...collectedByTag.values()].flatMap((c) => c.changes));
  let issues: IssueInfo[] = [];
  if (ids.length > 0) {
    const looked = await ports.issues.lookup({ ids });
    issues = looked.issues;
    for (const warning of looked.warnings) ports.logger.warn(warning);
  }

  const audience = config.notes.audiences[request.audience]!;
  const render = await (await createNotesRenderer(ports.templates))(audience.template);
  const sections: ChangelogSection[] = releases.map((release) => {
    const collected = { ...collectedByTag.get(release.tag)!, issues };
    const notes = buildNotes(notesInputFor(request, collected, audience, release.version, release.tag));
    return {
      version: release.version,
      tag: release.tag,
      markdown: render(notes, changelogRenderOptions(config.notes.changelog)),
    };
  });
  const text = `${CHANGELOG_TITLE}\n${sections.map((s) => s.markdown.trim()).join('\n\n')}\n`;
  return { sections, text };
}
