// What every command is handed instead of reaching for process.* (gh's cmdutil.Factory): its Io, the
// HTTP client factory, a clock, the environment and the working directory. A command returns its exit
// code (Promise<number>); only bin/hokus-check.js ends the process. Tests build a Factory over strings
// and loopback servers (test/helpers/in-process.ts) and run the very same commands in-process.
import { createHttp, type HttpOptions } from './http/client.js';
import type { Http } from './http/types.js';
import type { Io } from './io.js';

/** Builds an HTTP client: the check's, the wait phase's and sweep's all come from here, with the same settings. */
export type HttpFactory = (options: HttpOptions) => Http;

export interface Clock {
  /** Wall-clock time, epoch ms: report timestamps, sweep's cut-off, --wait's end. */
  now(): number;
  /** Resolves after `ms`, or early (without throwing) when `signal` aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
  /** In [0, 1): backoff jitter. */
  random(): number;
}

export interface Factory {
  io: Io;
  http: HttpFactory;
  clock: Clock;
  /** The environment the command was started with (keys are read from the variables it names). */
  env: Readonly<Record<string, string | undefined>>;
  cwd: string;
  /** hokus-check's own version (User-Agent, report `tool.version`). */
  version: string;
  /** How the user started this CLI, for commands printed for them to run: `hokus-check`, or `node bin/hokus-check.js` from a clone. */
  command: string;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  random: () => Math.random(),
  sleep: (ms, signal) =>
    new Promise<void>((resolve) => {
      if (signal?.aborted) return resolve();
      const done = () => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      signal?.addEventListener('abort', done, { once: true });
    }),
};

export function createFactory(parts: {
  io: Io;
  env: Factory['env'];
  cwd: string;
  version: string;
  clock?: Clock;
  http?: HttpFactory;
  command?: string;
}): Factory {
  return { http: createHttp, clock: systemClock, command: 'hokus-check', ...parts };
}

/** Where a command reports a fatal error: stderr, with the stack only under HOKUS_CHECK_DEBUG=1. */
export function fatalOut(f: Pick<Factory, 'io' | 'env'>): { write(s: string): void; debug: boolean } {
  return { write: (s) => f.io.err(s), debug: f.env.HOKUS_CHECK_DEBUG === '1' };
}
