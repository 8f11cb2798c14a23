// A clock whose sleeps take no time: each sleep(ms) moves now() forward by ms and resolves on the next
// turn of the event loop. What waits with backoff (--wait) then runs its whole schedule at once, and a
// test asserts on the schedule (polls, the give-up line), never on how long the wall clock took.
import type { Clock } from '../../src/factory.js';

export interface SteppingClock extends Clock {
  /** The sleeps requested so far, in ms. */
  readonly sleeps: readonly number[];
}

export function steppingClock(start = Date.now()): SteppingClock {
  let now = start;
  const sleeps: number[] = [];
  return {
    now: () => now,
    random: () => 0.5,
    sleep: async (ms) => {
      sleeps.push(ms);
      now += ms;
      await new Promise<void>((resolve) => setImmediate(resolve));
    },
    sleeps,
  };
}
