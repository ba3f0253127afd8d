export type { DocsCachePort, PageCompilerPort } from './docs.js';
export type { GitPort } from './git.js';
export type { IssueLookup, IssueTrackerPort } from './issue-tracker.js';
export type { Logger } from './logger.js';
export { silentLogger } from './logger.js';
export type { BundleMutation, StoredBlob, StorePort } from './store.js';
export type { TemplatePort, TemplateSource } from './templates.js';
