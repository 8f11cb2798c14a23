// The steps' one wait: a pause that ends early, without throwing, when the step's signal fires
// (Ctrl-C, the deadline, cleanup's budget). Register polls with it, cleanup looks for late creates.
import { setTimeout as delay } from 'node:timers/promises';

/** Waits `ms`, or until `signal` fires; never rejects. */
export function pause(ms: number, signal: AbortSignal): Promise<void> {
  return delay(ms, undefined, { signal }).then(
    () => undefined,
    () => undefined,
  );
}
