import semver from 'semver';
import { buildNotes } from '../core/build-notes.js';
import { CHANGELOG_TITLE } from '../core/changelog.js';
import { pushTo } from '../core/collections.js';
import { foldHistory, type HistoryEntry, trackerIds } from '../core/fold-history.js';
import { createCommitParser } from '../core/parse-commit.js';
import { errors } from '../errors/index.js';
import type { Collected, IssueInfo, RawCommit } from '../model/index.js';
import type { GitPort } from '../ports/index.js';
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

type ChangelogRequest = Omit<NotesRequest, 'from' | 'releaseVersion' | 'audiences'> & { audience: string };

/** The lowest release (of any kind / stable only) whose history holds a commit. */
interface Home {
  all: Release | undefined;
  stable: Release | undefined;
}

/** Commits by the tag of the release section they belong to, and each release commit's date. */
interface Buckets {
  entries: Map<string, HistoryEntry[]>;
  dates: Map<string, string>;
}

/**
 * Rebuilds a whole changelog: one section per release tag reachable from the target, newest
 * first, in one pass over history. Walking children before parents, each commit belongs to the
 * lowest-versioned release that contains it (stable sections count from the previous stable
 * release, prerelease sections from the previous tag). With a path filter (a monorepo package),
 * the shape of the whole history places the commits and one path-limited `git log` says which
 * commits belong to the package: two reads side by side, whatever the number of releases.
 */
export async function rebuildChangelog(
  request: ChangelogRequest,
  ports: NotesPorts,
): Promise<{ sections: ChangelogSection[]; text: string }> {
  const { toHash, releases } = await readReleases(request, ports.git);
  const countFromAny = request.config.notes.previousRelease === 'any';
  const buckets =
    request.path === null
      ? await bucketWholeHistory(request, ports.git, toHash, releases, countFromAny)
      : await bucketPathHistory(request, ports.git, toHash, releases, countFromAny);
  const collected = releases.map((release, i) =>
    collectedOf(release, previousOf(releases, i, countFromAny), buckets, request.path),
  );
  const issues = await lookupIssues(collected, ports);
  const sections = await renderSections(request, ports, releases, collected, issues);
  const text = `${CHANGELOG_TITLE}\n${sections.map((s) => s.markdown.trim()).join('\n\n')}\n`;
  return { sections, text };
}

/** The release tags reachable from the target, highest version first. Refuses a shallow clone. */
async function readReleases(
  request: ChangelogRequest,
  git: GitPort,
): Promise<{ toHash: string; releases: Release[] }> {
  const [toHash, cut] = await Promise.all([git.resolve(request.to ?? 'HEAD'), git.shallowCommits()]);
  // The whole history is read: a shallow clone would lose the older releases' sections.
  if (cut.size > 0) throw errors.shallowHistory(request.to ?? 'HEAD');
  const releases: Release[] = [];
  for (const { tag, hash } of await git.mergedTags(toHash, request.tagFormat.glob)) {
    const version = request.tagFormat.versionOf(tag);
    if (version !== null) releases.push({ tag, hash, version, stable: semver.prerelease(version) === null });
  }
  releases.sort((a, b) => semver.rcompare(a.version, b.version));
  return { toHash, releases };
}

const lower = (a: Release | undefined, b: Release | undefined) =>
  !a ? b : !b ? a : semver.lt(a.version, b.version) ? a : b;

/**
 * Hands each commit's lowest containing release from child to parent. Call `visit` with the
 * commits children before parents (topological order); it returns the commit's home and records
 * the date of every release commit.
 */
function createHomeFinder(releases: Release[], dates: Map<string, string>) {
  const byHash = new Map<string, Release[]>();
  for (const release of releases) pushTo(byHash, release.hash, release);
  const pendingAll = new Map<string, Release>();
  const pendingStable = new Map<string, Release>();
  return (commit: { hash: string; parents: string[]; committerDate: string }): Home => {
    let all = pendingAll.get(commit.hash);
    let stable = pendingStable.get(commit.hash);
    pendingAll.delete(commit.hash);
    pendingStable.delete(commit.hash);
    for (const release of byHash.get(commit.hash) ?? []) {
      all = lower(all, release);
      if (release.stable) stable = lower(stable, release);
      dates.set(release.tag, commit.committerDate);
    }
    for (const parent of commit.parents) {
      const a = lower(pendingAll.get(parent), all);
      if (a) pendingAll.set(parent, a);
      const s = lower(pendingStable.get(parent), stable);
      if (s) pendingStable.set(parent, s);
    }
    return { all, stable };
  };
}

/** Files a commit under its release section(s); a prerelease's commit also counts for its stable release. */
function place(buckets: Buckets, home: Home, entry: HistoryEntry, countFromAny: boolean): void {
  if (!home.all) return; // after the newest release: unreleased
  const section = countFromAny ? home.all : home.stable;
  if (section) pushTo(buckets.entries, section.tag, entry);
  if (!home.all.stable) pushTo(buckets.entries, home.all.tag, entry);
}

/** No path filter: one `git log` of the whole history places and parses every commit. */
async function bucketWholeHistory(
  request: ChangelogRequest,
  git: GitPort,
  toHash: string,
  releases: Release[],
  countFromAny: boolean,
): Promise<Buckets> {
  const buckets: Buckets = { entries: new Map(), dates: new Map() };
  const homeOf = createHomeFinder(releases, buckets.dates);
  const parse = createCommitParser(parseOptionsFor(request.config));
  for await (const raw of git.commits({ from: null, to: toHash, path: null })) {
    const home = homeOf(raw);
    if (home.all) place(buckets, home, { change: parse(raw), parents: raw.parents }, countFromAny);
  }
  return buckets;
}

/**
 * A path filter hides the tagged commits themselves (they rarely touch the package), so the
 * releases are placed on the whole history's shape (hashes and parents only) while one
 * path-limited `git log` reads the package's commits, with parents rewritten to the path's
 * history as git simplifies it: the same commits, in the same order, as reading each release's
 * range with the filter.
 */
async function bucketPathHistory(
  request: ChangelogRequest,
  git: GitPort,
  toHash: string,
  releases: Release[],
  countFromAny: boolean,
): Promise<Buckets> {
  const buckets: Buckets = { entries: new Map(), dates: new Map() };
  const readHomes = async () => {
    const homeOf = createHomeFinder(releases, buckets.dates);
    const homes = new Map<string, Home>();
    for await (const commit of git.ancestry(toHash)) {
      const home = homeOf(commit);
      if (home.all) homes.set(commit.hash, home);
    }
    return homes;
  };
  const readPath = async () => {
    const commits: RawCommit[] = [];
    for await (const raw of git.commits({ from: null, to: toHash, path: request.path })) commits.push(raw);
    return commits;
  };
  const [homes, commits] = await Promise.all([readHomes(), readPath()]);
  const parse = createCommitParser(parseOptionsFor(request.config));
  for (const raw of commits) {
    const home = homes.get(raw.hash);
    if (home) place(buckets, home, { change: parse(raw), parents: raw.parents }, countFromAny);
  }
  return buckets;
}

/** The release a section counts from: the next lower stable one, or any kind for prereleases / "any". */
function previousOf(releases: Release[], index: number, countFromAny: boolean): Release | null {
  const release = releases[index]!;
  return releases.slice(index + 1).find((r) => countFromAny || !release.stable || r.stable) ?? null;
}

function collectedOf(
  release: Release,
  previous: Release | null,
  buckets: Buckets,
  path: string | null,
): Collected {
  const folded = foldHistory(buckets.entries.get(release.tag) ?? [], release.hash);
  return {
    schemaVersion: 1,
    range: {
      from: previous
        ? { ref: previous.tag, hash: previous.hash, tag: previous.tag, version: previous.version }
        : null,
      to: {
        ref: release.tag,
        hash: release.hash,
        tag: release.tag,
        version: release.version,
        date: buckets.dates.get(release.tag) ?? '',
      },
      path,
    },
    changes: folded.changes,
    issues: [],
    warnings: [],
  };
}

/** One tracker lookup for the whole changelog. */
async function lookupIssues(collected: Collected[], ports: NotesPorts): Promise<IssueInfo[]> {
  const ids = trackerIds(collected.flatMap((c) => c.changes));
  if (ids.length === 0) return [];
  const looked = await ports.issues.lookup({ ids });
  for (const warning of looked.warnings) ports.logger.warn(warning);
  return looked.issues;
}

async function renderSections(
  request: ChangelogRequest,
  ports: NotesPorts,
  releases: Release[],
  collected: Collected[],
  issues: IssueInfo[],
): Promise<ChangelogSection[]> {
  const audience = request.config.notes.audiences[request.audience]!;
  const render = await (await createNotesRenderer(ports.templates))(audience.template);
  return releases.map((release, i) => {
    const notes = buildNotes(
      notesInputFor(request, { ...collected[i]!, issues }, audience, release.version, release.tag),
    );
    return {
      version: release.version,
      tag: release.tag,
      markdown: render(notes, changelogRenderOptions(request.config.notes.changelog)),
    };
  });
}
