import type { IssueInfo } from '../model/index.js';

export interface IssueLookup {
  /** Issue/PR numbers (`123`) to look up in the configured repository. */
  ids: string[];
}

/** Titles, labels and authors of referenced issues/PRs. Adapters: git (offline), github, gitlab. */
export interface IssueTrackerPort {
  readonly name: string;
  /** Never throws for API trouble: returns what it found and warnings for what it could not. */
  lookup(request: IssueLookup): Promise<{ issues: IssueInfo[]; warnings: string[] }>;
}
