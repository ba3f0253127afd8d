export type * from './change.js';
export type * from './notes.js';
