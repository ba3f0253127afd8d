/**
 * The rule that keeps the ledger safe: what a failed attempt (or a failed check of an earlier
 * one) becomes. Refused → failed; nothing happened → pending, with backoff; may have happened →
 * unknown, reconciled against the target before anything is sent again. Pure: the engine
 * classifies the error, this decides.
 */
import { type FailureKind, isDeliveryFailure } from '../errors/delivery-failure.js';
import type { DeliveryOutcome } from '../model/index.js';
import { attemptsExhausted, retryDelay } from './retry-policy.js';

/** What the engine knows of a failure. `unexpected`: not a DeliveryFailure (a bug, a thrown TypeError). */
export interface FailureFacts {
  kind: FailureKind | 'unexpected';
  message: string;
  fix: string | null;
  status: number | null;
  retryAfterMs: number | null;
}

export type FailedOutcome = Extract<DeliveryOutcome, { state: 'pending' | 'failed' | 'unknown' }>;

export function failureFacts(error: unknown): FailureFacts {
  if (isDeliveryFailure(error))
    return {
      kind: error.kind,
      message: error.message,
      fix: error.fix ?? null,
      status: error.status,
      retryAfterMs: error.retryAfterMs,
    };
  const message = error instanceof Error ? error.message : String(error);
  return { kind: 'unexpected', message, fix: null, status: null, retryAfterMs: null };
}

export const GAVE_UP_FIX = 'Check the target is reachable and healthy, then run `herald retry <version>`.';

/**
 * A delivery attempt failed; `attempts` counts this one. `random` in [0, 1) jitters the backoff.
 */
export function attemptOutcome(failure: FailureFacts, attempts: number, random: number): FailedOutcome {
  const { kind, message } = failure;
  // Refused (or never sent, like an email whose template failed): no effect to check for.
  if (kind === 'permanent')
    return { state: 'failed', error: encodeError(message, failure.fix, failure.status, true) };
  if (attemptsExhausted(attempts))
    return {
      state: 'failed',
      error: encodeError(`gave up after ${attempts} attempts: ${message}`, GAVE_UP_FIX),
    };
  if (kind === 'retryable')
    return {
      state: 'pending',
      delayMs: retryDelay(attempts, failure.retryAfterMs, random),
      error: encodeError(message, failure.fix, failure.status),
    };
  // Ambiguous, or an unexpected error: the effect may have happened. Reconcile, never repeat blindly.
  return { state: 'unknown', error: encodeError(message) };
}

/**
 * Checking whether an earlier attempt took effect failed. The row stays unknown whatever the
 * error (never a blind new attempt), unless the check itself is refused (a missing scope, a
 * deleted channel): then it fails, and `herald retry` brings it back as unknown to check again.
 */
export function reconcileOutcome(failure: FailureFacts, attempts: number, random: number): FailedOutcome {
  if (failure.kind === 'permanent')
    return {
      state: 'failed',
      error: encodeError(
        `could not check whether an earlier attempt took effect: ${failure.message}`,
        failure.fix,
      ),
    };
  return {
    state: 'unknown',
    delayMs: retryDelay(Math.max(1, attempts), failure.retryAfterMs, random),
    error: encodeError(`could not check the target: ${failure.message}`),
  };
}

/**
 * How a failure is written to the ledger: the message and the fix, as JSON. `noEffect`: the
 * target refused the attempt, so it certainly did not happen (`herald retry` may send it again
 * without checking first).
 */
export function encodeError(
  message: string,
  fix?: string | null,
  status?: number | null,
  noEffect = false,
): string {
  return JSON.stringify({
    message,
    ...(fix ? { fix } : {}),
    ...(status ? { status } : {}),
    ...(noEffect ? { noEffect: true } : {}),
  });
}

export function decodeError(text: string | null): { message: string; fix: string | null } {
  if (text === null) return { message: '', fix: null };
  try {
    const parsed = JSON.parse(text) as { message?: string; fix?: string };
    return { message: parsed.message ?? text, fix: parsed.fix ?? null };
  } catch {
    return { message: text, fix: null };
  }
}
