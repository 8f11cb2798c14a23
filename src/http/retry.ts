// Which failures are worth another try, and the loop that makes them. Only transient failures are
// retried, and never in a way that could make the server act twice: a non-idempotent request is
// retried only when it provably never reached the server (refused, connect timeout, reset during
// connect).
import type { Phase } from './classify.js';
import type { NetErrorKind } from './types.js';

/** Longest wait between tries, whatever Retry-After or the backoff says. */
export const MAX_RETRY_WAIT_MS = 5000;

export interface RetryPolicy {
  /** Extra tries after the first. */
  retries: number;
  baseMs: number;
  random: () => number;
}

export interface TryOutcome {
  /** 1 for the first try. */
  attempt: number;
  idempotent: boolean;
  /** The request body can be sent again (none, a buffer, or a stream factory). */
  replayable: boolean;
  /** Our caller's signal fired. */
  aborted: boolean;
  errorKind?: NetErrorKind;
  errorPhase?: Phase;
  /** Response status, when headers arrived. */
  status?: number;
  retryAfter?: string;
  /** Clock for HTTP-date Retry-After values. */
  now?: number;
}

/** Milliseconds to wait before the next try, or undefined when the outcome must not be retried. */
export function retryDelay(outcome: TryOutcome, policy: RetryPolicy): number | undefined {
  if (outcome.aborted || !outcome.replayable || outcome.attempt > policy.retries) return undefined;
  const backoff = fullJitter(outcome.attempt, policy);
  if (outcome.errorKind && outcome.errorKind !== 'body-too-large') {
    return transientError(outcome) ? backoff : undefined;
  }
  const status = outcome.status;
  if (status === undefined || !outcome.idempotent) return undefined;
  const retryAfter = outcome.retryAfter === undefined ? undefined : parseRetryAfter(outcome.retryAfter, outcome.now ?? Date.now());
  if (status === 502 || status === 503 || status === 504) {
    return retryAfter === undefined ? backoff : Math.min(retryAfter, MAX_RETRY_WAIT_MS);
  }
  if (status === 429 && retryAfter !== undefined) return Math.min(retryAfter, MAX_RETRY_WAIT_MS);
  return undefined;
}

/** Retry-After as milliseconds from now: delta-seconds or an HTTP-date. */
export function parseRetryAfter(value: string, now: number): number | undefined {
  const v = value.trim();
  if (/^\d+$/.test(v)) return Number(v) * 1000;
  const at = Date.parse(v);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - now);
}

/** Exponential backoff with full jitter: uniform in [0, min(cap, base · 2^(attempt-1))). */
export function fullJitter(attempt: number, policy: Pick<RetryPolicy, 'baseMs' | 'random'>): number {
  const ceiling = Math.min(MAX_RETRY_WAIT_MS, policy.baseMs * 2 ** (attempt - 1));
  return Math.floor(policy.random() * ceiling);
}

export interface RetryLoop<T> {
  /** Makes try number `attempt` (1-based). */
  attempt(attempt: number): Promise<T>;
  /** Wait before the next try, or undefined to stop with this result. */
  decide(result: T, attempt: number): number | undefined;
  /** Called once per try, before any wait, with whether another try follows. */
  settle(result: T, retrying: boolean): void;
  /** Called when a planned retry is cancelled because the signal fired during the wait. */
  cancelled(result: T): void;
  sleep(ms: number, signal: AbortSignal): Promise<void>;
  signal: AbortSignal;
}

export async function retryLoop<T>(loop: RetryLoop<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    const result = await loop.attempt(attempt);
    const wait = loop.decide(result, attempt);
    loop.settle(result, wait !== undefined);
    if (wait === undefined) return result;
    try {
      await loop.sleep(wait, loop.signal);
    } catch {
      // The sleep was interrupted by the signal.
    }
    if (loop.signal.aborted) {
      loop.cancelled(result);
      return result;
    }
  }
}

function transientError(o: TryOutcome): boolean {
  switch (o.errorKind) {
    case 'refused':
    case 'connect-timeout':
      return true; // nothing reached the server
    case 'reset':
      return o.idempotent || o.errorPhase === 'connect';
    default:
      return false;
  }
}
