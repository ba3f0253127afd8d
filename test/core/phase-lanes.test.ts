import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { claimablePhases, type OpenPhase, walkEndsAt } from '../../src/core/phase-lanes.js';

// The gate read per phase must claim exactly what the rule says per row: a row waits while some
// unfinished row of its bundle is in a lower phase of its lane (the notes below 10; the docs from
// 10; a channel from 40: the notes lane and lower phases of its own target).
const waitsFor = (d: { phase: number; target: string }, e: { phase: number; target: string }) =>
  e.phase < d.phase &&
  ((d.phase < 10 && e.phase < 10) ||
    (d.phase >= 10 && d.phase < 40 && e.phase >= 10) ||
    (d.phase >= 40 && (e.target === d.target || e.phase < 10)));

const openRow = fc.record({
  phase: fc.constantFrom(0, 2, 5, 10, 20, 30, 40, 41, 42),
  target: fc.constantFrom('helpcenter', 'email', 'slack:C1'),
});

describe('claimablePhases', () => {
  it('claims a phase of a target exactly when each of its rows may go by the per-row rule', () =>
    fc.assert(
      fc.property(
        fc.array(openRow, { maxLength: 12 }),
        fc.constantFrom('helpcenter', 'email', 'slack:C1'),
        (rows, target) => {
          const byRow = new Set(
            rows.filter((d) => d.target === target && !rows.some((e) => waitsFor(d, e))).map((d) => d.phase),
          );
          const phases = [...new Set(rows.map((r) => r.phase))].sort((a, b) => a - b);
          const open: OpenPhase[] = phases.map((phase) => ({
            phase,
            mine: rows.some((r) => r.phase === phase && r.target === target),
          }));
          expect(claimablePhases(open, target)).toEqual([...byRow].sort((a, b) => a - b));
          // The claim's walk stops at the target's first channel phase: nothing claimable is lost.
          const end = open.findIndex(walkEndsAt);
          const walked = end === -1 ? open : open.slice(0, end + 1);
          expect(claimablePhases(walked, target)).toEqual(claimablePhases(open, target));
        },
      ),
      { numRuns: 500 },
    ));
});
