import { describe, expect, it } from 'vitest';
import { nextBatch } from '../../src/stages/announce/deliver.js';

describe('the size of the next claimed batch', () => {
  it('is about a second of work at the last batch pace, between 1 and the channel most', () => {
    // A local relay: 100 messages in 50 ms, the channel's most.
    expect(nextBatch(100, 50, 100)).toBe(100);
    // A relay across a network: 10 messages in 800 ms, so 13 last about a second.
    expect(nextBatch(10, 800, 100)).toBe(13);
    // A call that takes longer than a second: one row at a time, never none.
    expect(nextBatch(1, 5_000, 4)).toBe(1);
    // No time measured (a clock that did not move): the most.
    expect(nextBatch(10, 0, 100)).toBe(100);
  });
});
