/** A person who wrote or co-wrote a change. `login` is known only from an issue tracker. */
export interface Person {
  name: string;
  email: string | null;
  login: string | null;
}

/** A reference to an issue, pull/merge request or tracker key found in a commit message. */
export interface Reference {
  /** `#` for GitHub/GitLab numbers, `!` for GitLab merge requests, or a key prefix such as `PROJ-`. */
  prefix: string;
  /** The number or full key: `123`, `PROJ-7`. */
  id: string;
  /** `owner/repo` when the reference names another repository. */
  repository: string | null;
  /** The closing keyword, lower-cased (`closes`, `fixes`), or null for a plain mention. */
  action: string | null;
}

/** The raw record one commit yields from `git log`, before any interpretation. */
export interface RawCommit {
  hash: string;
  parents: string[];
  authorName: string;
  authorEmail: string;
  authorDate: string;
  committerDate: string;
  message: string;
}

/** What a merge commit says about the pull/merge request it merged. */
export interface MergeInfo {
  provider: 'github' | 'gitlab' | 'generic';
  /** PR number or MR iid, when the subject names one. */
  id: string | null;
  /** The branch or source named in the subject. */
  source: string | null;
}

/** One interpreted commit (or, for a merged PR with a conventional title, the whole PR). */
export interface Change {
  hash: string;
  shortHash: string;
  /** Author date, ISO 8601. */
  date: string;
  /** Conventional type (`feat`), or null when the header is not a conventional commit. */
  type: string | null;
  scope: string | null;
  /** The description to show: the conventional subject, or the whole header when not conventional. */
  subject: string;
  header: string;
  body: string;
  /** Breaking-change texts; non-empty means the change is breaking. */
  breaking: string[];
  merge: MergeInfo | null;
  /** The pull/merge request this change arrived in, when known (`123`). */
  pullRequest: string | null;
  references: Reference[];
  /** Trailers from the final paragraph, keys lower-cased (`release-note`, `co-authored-by`). */
  trailers: Record<string, string[]>;
  authors: Person[];
  /** Set when this commit reverts another: the reverted hash (when stated) and header. */
  revert: { hash: string | null; header: string } | null;
  /** Human wording from a `Release-Note:` trailer or a PR body section, replacing the subject in notes. */
  releaseNote: string | null;
  /** Labels from the issue tracker (PR and closed issues) plus the `Audience:` trailer as `audience:<x>`. */
  labels: string[];
  /** True when the message asks to be left out of changelogs (`[skip changelog]`). */
  skip: boolean;
  /** Hashes of branch commits folded into this change (a PR merged with a conventional title). */
  includes: string[];
}

/** What an issue tracker knows about a referenced issue or pull/merge request. */
export interface IssueInfo {
  id: string;
  kind: 'issue' | 'pull';
  title: string;
  labels: string[];
  author: string | null;
  url: string | null;
  /** Text of a "Release note" section in the PR body, when present. */
  releaseNote: string | null;
}

/** The resolved commit range that a release covers. */
export interface ReleaseRange {
  from: { ref: string; hash: string; tag: string | null; version: string | null } | null;
  to: { ref: string; hash: string; tag: string | null; version: string | null; date: string };
  path: string | null;
}

export interface Collected {
  schemaVersion: 1;
  range: ReleaseRange;
  changes: Change[];
  issues: IssueInfo[];
  warnings: string[];
}
