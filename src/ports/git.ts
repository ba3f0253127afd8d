import type { RawCommit } from '../model/index.js';

/** Read-only access to one git repository. Adapters: git-cli. */
export interface GitPort {
  /** The repository's top-level directory. */
  root(): Promise<string>;
  /** Full hash of a ref; throws EUNKNOWNREF. */
  resolve(ref: string): Promise<string>;
  /** Tags matching a glob that are reachable from `target` (ancestors, including target itself). */
  mergedTags(target: string, glob: string): Promise<{ tag: string; hash: string }[]>;
  /** Tags pointing exactly at a commit. */
  tagsAt(hash: string): Promise<string[]>;
  /** All tags matching a glob, with the commit each points at. */
  tags(glob: string): Promise<{ tag: string; hash: string }[]>;
  /** Commits in `from..to` (from exclusive, null = from the root), streamed children before parents. */
  commits(range: { from: string | null; to: string; path: string | null }): AsyncIterable<RawCommit>;
  /** Committer date (ISO) of a commit. */
  commitDate(hash: string): Promise<string>;
  /** URL of the `origin` remote, or null. */
  remoteUrl(): Promise<string | null>;
  /** Contents of a file at a ref, or null when absent. */
  readFile(ref: string, path: string): Promise<Buffer | null>;
}
