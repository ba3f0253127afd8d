export * from './bundle.js';
export type * from './change.js';
export * from './delivery.js';
export type * from './docs.js';
export type * from './notes.js';
export type * from './slack.js';
export * from './subscriber.js';
export type { TrackerItem } from './tracker.js';
