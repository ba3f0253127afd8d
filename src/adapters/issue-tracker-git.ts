import type { IssueTrackerPort } from '../ports/index.js';

/** The offline default: references come from commit messages only; no titles or labels. */
export function createGitIssueTracker(): IssueTrackerPort {
  return { name: 'git', lookup: async () => ({ issues: [], warnings: [] }) };
}
