import { CHANNEL_PHASE, DOCS_PHASE } from '../model/index.js';

/**
 * The phase gate of one bundle, as ranges: a row of `target` in `phase` waits while the bundle has
 * an unfinished row (any state but sent or skipped; a failed one too) in one of these ranges. The
 * rule is the model's (see `CHANNEL_PHASE`): the release notes and the docs are lanes, each in
 * phase order; a channel waits for the notes lane and for lower phases of its own target.
 */
export interface LaneRange {
  /** Lowest phase in the range (inclusive); null: no lower bound. */
  from: number | null;
  /** Phases below this one. */
  below: number;
  /** Only rows of this target count; null: every target's rows do. */
  target: string | null;
}

export function lowerLanes(phase: number, target: string): LaneRange[] {
  if (phase < DOCS_PHASE) return [{ from: null, below: phase, target: null }];
  if (phase < CHANNEL_PHASE) return [{ from: DOCS_PHASE, below: phase, target: null }];
  return [
    { from: null, below: DOCS_PHASE, target: null },
    { from: null, below: phase, target },
  ];
}

/** A phase in which a bundle has unfinished rows; `mine`: some of them are the target's. */
export interface OpenPhase {
  phase: number;
  mine: boolean;
}

const inRange = (open: OpenPhase, range: LaneRange) =>
  (range.from === null || open.phase >= range.from) &&
  open.phase < range.below &&
  (range.target === null || open.mine);

/**
 * The phases whose rows of the target may go now, lowest first, given every phase (ascending)
 * in which the bundle has unfinished rows, up to the target's first channel phase at least.
 */
export function claimablePhases(open: readonly OpenPhase[], target: string): number[] {
  return open
    .filter(
      ({ phase, mine }) =>
        mine && !lowerLanes(phase, target).some((range) => open.some((o) => inRange(o, range))),
    )
    .map((o) => o.phase);
}

/**
 * Where the phase walk may stop for a claim: past the target's first unfinished channel phase, no
 * row of the target can go (that phase holds them up), and lower phases are all seen.
 */
export const walkEndsAt = (open: OpenPhase) => open.mine && open.phase >= CHANNEL_PHASE;
