import { describe, expect, it } from 'vitest';
import {
  attemptOutcome,
  decodeError,
  type FailureFacts,
  failureFacts,
  GAVE_UP_FIX,
  reconcileOutcome,
} from '../../src/core/ledger-outcome.js';
import { RETRY } from '../../src/core/retry-policy.js';
import { DeliveryFailure } from '../../src/errors/delivery-failure.js';

const facts = (kind: FailureFacts['kind'], extra: Partial<FailureFacts> = {}): FailureFacts => ({
  kind,
  message: 'boom',
  fix: null,
  status: null,
  retryAfterMs: null,
  ...extra,
});
const last = RETRY.maxAttempts;
/** random = 0.5: the backoff is half its ceiling (1 s × 2^(attempts-1)), never under Retry-After. */
const half = (attempts: number) =>
  Math.round(Math.min(RETRY.capMs, RETRY.baseMs * 2 ** (attempts - 1)) * 0.5);

describe('attemptOutcome: a failed attempt → ledger row', () => {
  it.each<[string, FailureFacts, number, object]>([
    [
      'refused → failed, marked as certainly without effect',
      facts('permanent', { fix: 'Do X.', status: 403 }),
      1,
      { state: 'failed', error: { message: 'boom', fix: 'Do X.', status: 403, noEffect: true } },
    ],
    ['refused on the last attempt → failed', facts('permanent'), last, { state: 'failed' }],
    [
      'nothing happened → pending with backoff',
      facts('retryable', { status: 503 }),
      3,
      { state: 'pending', delayMs: half(3), error: { message: 'boom', status: 503 } },
    ],
    [
      "nothing happened, Retry-After above the backoff → pending for the target's floor",
      facts('retryable', { retryAfterMs: 60_000 }),
      1,
      { state: 'pending', delayMs: 60_000 },
    ],
    [
      'may have happened → unknown (reconciled, never repeated blindly)',
      facts('ambiguous'),
      1,
      { state: 'unknown', error: { message: 'boom' } },
    ],
    ['an unexpected error → unknown', facts('unexpected'), 2, { state: 'unknown' }],
    [
      'nothing happened, attempts used up → failed, with the fix to retry',
      facts('retryable'),
      last,
      { state: 'failed', error: { message: `gave up after ${last} attempts: boom`, fix: GAVE_UP_FIX } },
    ],
    [
      'may have happened, attempts used up → failed',
      facts('ambiguous'),
      last,
      { state: 'failed', error: { message: `gave up after ${last} attempts: boom` } },
    ],
    ['one attempt before the cap → still pending', facts('retryable'), last - 1, { state: 'pending' }],
  ])('%s', (_, failure, attempts, expected) => {
    const outcome = attemptOutcome(failure, attempts, 0.5);
    const { error, ...rest } = outcome;
    const { error: expectedError, ...expectedRest } = expected as { error?: object };
    expect(rest).toMatchObject(expectedRest);
    if (expectedError) expect(JSON.parse(error)).toEqual(expect.objectContaining(expectedError));
    if (outcome.state !== 'failed' || failure.kind !== 'permanent')
      expect(JSON.parse(error).noEffect).toBeUndefined();
  });
});

describe('reconcileOutcome: checking an earlier attempt failed → ledger row', () => {
  it.each<[string, FailureFacts, number, object]>([
    [
      'the check is refused → failed, with the fix',
      facts('permanent', { fix: 'Grant the scope.' }),
      1,
      {
        state: 'failed',
        error: {
          message: 'could not check whether an earlier attempt took effect: boom',
          fix: 'Grant the scope.',
        },
      },
    ],
    [
      'the check could not be made → still unknown, checked again after a backoff',
      facts('retryable'),
      3,
      { state: 'unknown', delayMs: half(3), error: { message: 'could not check the target: boom' } },
    ],
    ['an ambiguous check → unknown', facts('ambiguous'), 0, { state: 'unknown', delayMs: half(1) }],
    [
      'a check past the attempt cap → still unknown (never failed for want of attempts)',
      facts('unexpected', { retryAfterMs: 200_000 }),
      last + 3,
      { state: 'unknown', delayMs: 200_000 },
    ],
  ])('%s', (_, failure, attempts, expected) => {
    const { error, ...rest } = reconcileOutcome(failure, attempts, 0.5);
    const { error: expectedError, ...expectedRest } = expected as { error?: object };
    expect(rest).toMatchObject(expectedRest);
    if (expectedError) expect(JSON.parse(error)).toEqual(expectedError);
  });
});

describe('failureFacts', () => {
  it('reads a DeliveryFailure as its kind, and anything else as unexpected', () => {
    const failure = new DeliveryFailure({
      kind: 'retryable',
      message: 'slow',
      status: 429,
      retryAfterMs: 2000,
    });
    expect(failureFacts(failure)).toEqual({
      kind: 'retryable',
      message: 'slow',
      fix: null,
      status: 429,
      retryAfterMs: 2000,
    });
    expect(failureFacts(new TypeError('x is undefined'))).toMatchObject({
      kind: 'unexpected',
      message: 'x is undefined',
    });
    expect(failureFacts('text')).toMatchObject({ kind: 'unexpected', message: 'text' });
  });

  it('decodes what it encodes, and plain text from older ledgers', () => {
    const { error } = attemptOutcome(facts('permanent', { fix: 'Do X.' }), 1, 0);
    expect(decodeError(error)).toEqual({ message: 'boom', fix: 'Do X.' });
    expect(decodeError('plain words')).toEqual({ message: 'plain words', fix: null });
    expect(decodeError(null)).toEqual({ message: '', fix: null });
  });
});
