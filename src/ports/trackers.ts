import type { TrackerItem } from '../model/index.js';
import type { VerifyFinding } from './help-center.js';

/** What a tracker holds about an item before Herald comments on it. */
export interface TrackerItemState {
  labels: string[];
  /** The tracker will refuse comments (GitHub "locked"): its reason, shown as the failure. */
  locked: string | null;
  /** Where people see it, for output. */
  url: string | null;
}

/** A comment Herald posted (or found again by its marker). */
export interface PostedComment {
  id: string;
  url: string | null;
}

/** A comment as Herald writes it: Markdown for code hosts, turned into ADF for Jira by its adapter. */
export interface TrackerComment {
  /** The visible text (Markdown; a plain paragraph with one link for Jira). */
  text: string;
  /**
   * Names this delivery and nothing else; the adapter hides it in the comment (an HTML comment on
   * GitHub/GitLab, a comment property on Jira) so an unknown outcome can be looked up.
   */
  marker: string;
}

/** The release page of a tag on the code host. */
export interface CodeHostRelease {
  id: string;
  url: string | null;
  body: string;
}

export interface ReleaseDraft {
  tag: string;
  name: string;
  body: string;
  /** GitHub's "latest" badge: set only when configured. */
  latest: boolean;
}

/**
 * One issue tracker or code host as an announce target: comments on items, labels, Jira
 * transitions, the tag's release page. Every method throws a `DeliveryFailure` when the tracker
 * refuses or does not answer; none of them retries a write whose outcome it cannot know.
 */
export interface TrackerPort {
  readonly tracker: 'github' | 'gitlab' | 'jira';
  /** Identifies the site and project (`github:https://api.github.com/acme/app`). */
  readonly site: string;
  /** For output: `GitHub acme/app`. */
  readonly description: string;
  readItem(item: TrackerItem): Promise<TrackerItemState>;
  postComment(item: TrackerItem, comment: TrackerComment): Promise<PostedComment>;
  /** The comment carrying `marker`, if one was posted (by an attempt whose answer was lost). */
  findComment(item: TrackerItem, marker: string): Promise<PostedComment | null>;
  /** Adds labels (those already there stay; adding one twice is harmless). */
  addLabels(item: TrackerItem, labels: string[]): Promise<void>;
  /** Jira: moves the issue through the transition of this name; false when it is not available now. */
  transition?(item: TrackerItem, name: string): Promise<boolean>;
  findRelease?(tag: string): Promise<CodeHostRelease | null>;
  createRelease?(release: ReleaseDraft): Promise<CodeHostRelease>;
  updateRelease?(existing: CodeHostRelease, release: ReleaseDraft): Promise<CodeHostRelease>;
  /** Token and scopes, read-only. */
  verify(): Promise<VerifyFinding[]>;
}
