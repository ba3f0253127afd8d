export type { Channel, ChannelBundle, Delivered } from './channel.js';
export type { DocsCachePort, PageCompilerPort } from './docs.js';
export type { GitPort } from './git.js';
export type * from './help-center.js';
export type { IssueLookup, IssueTrackerPort } from './issue-tracker.js';
export type { Logger } from './logger.js';
export { silentLogger } from './logger.js';
export type { BundleMutation, LedgerPort, StoredBlob, StorePort } from './store.js';
export type { TemplatePort, TemplateSource } from './templates.js';
