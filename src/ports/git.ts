import type { RawCommit } from '../model/index.js';

/** Read-only access to one git repository. Adapters: git-cli. */
export interface GitPort {
  /** The repository's top-level directory. */
  root(): Promise<string>;
  /** Full hash of a ref; throws EUNKNOWNREF. */
  resolve(ref: string): Promise<string>;
  /** Tags matching a glob that are reachable from `target` (ancestors, including target itself). */
  mergedTags(target: string, glob: string): Promise<{ tag: string; hash: string }[]>;
  /** All tags matching a glob, with the commit each points at. */
  tags(glob: string): Promise<{ tag: string; hash: string }[]>;
  /** Commits in `from..to` (from exclusive, null = from the root), streamed children before parents. */
  commits(range: { from: string | null; to: string; path: string | null }): AsyncIterable<RawCommit>;
  /**
   * Every commit reachable from `to` with its parents and committer date, children before
   * parents: the shape of history without messages or diffs (cheap to read in full).
   */
  ancestry(to: string): AsyncIterable<{ hash: string; parents: string[]; committerDate: string }>;
  /** One call for what a release target needs: full hash, committer date, tags pointing at it. */
  describe(ref: string): Promise<{ hash: string; date: string; tags: string[] }>;
  /** True when `ancestor` is reachable from `descendant` (or the same commit). */
  isAncestor(ancestor: string, descendant: string): Promise<boolean>;
  /** Commits whose parents a shallow clone cut off (empty for a full clone). */
  shallowCommits(): Promise<Set<string>>;
  /** Tags of the `origin` remote matching a glob; null when there is no remote or it did not answer. */
  remoteTags(glob: string): Promise<string[] | null>;
  /** URL of the `origin` remote, or null. */
  remoteUrl(): Promise<string | null>;
  /** Every file under `dir` at a commit: git's mode (`100644`, `120000` for symlinks), blob id and size. */
  listTree(
    commit: string,
    dir: string,
  ): Promise<{ path: string; mode: string; hash: string; size: number }[]>;
  /** Contents of blobs by id, read in one batch. */
  readBlobs(hashes: string[]): Promise<Map<string, Buffer>>;
  /** Contents of a file at a ref, or null when absent. */
  readFile(ref: string, path: string): Promise<Buffer | null>;
}
