// Runs a function of a src/ module in a worker thread with a small heap and a hang guard, for code
// that might never return (a redactor spinning on an empty match would block the test's own thread,
// where no vitest timeout can stop it). The module is bundled with esbuild (a devDependency, as in
// build.mjs); the worker gets the call's arguments and posts back the result or the failure.
import { buildSync } from 'esbuild';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';

export type WorkerOutcome<T> = { ok: true; value: T } | { ok: false; reason: string };

/**
 * Calls `exported(...args)` from `modulePath` (relative to the repository root) in a worker; `reason`
 * says why it did not return: it threw, ran out of its heap, or passed `guardMs` (a hang guard, not a
 * speed limit).
 */
export async function callInWorker<T>(modulePath: string, body: string, args: unknown[], guardMs = 20_000): Promise<WorkerOutcome<T>> {
  const root = fileURLToPath(new URL('../..', import.meta.url));
  const entry = `import * as mod from ${JSON.stringify(`${root}${modulePath}`)};
import { parentPort, workerData } from 'node:worker_threads';
const run = (${body});
parentPort.postMessage(run(mod, ...workerData));`;
  const code = buildSync({
    stdin: { contents: entry, resolveDir: root, loader: 'ts' },
    bundle: true,
    platform: 'node',
    format: 'cjs',
    write: false,
    logLevel: 'silent',
  }).outputFiles[0]!.text;
  const worker = new Worker(code, {
    eval: true,
    workerData: args,
    resourceLimits: { maxOldGenerationSizeMb: 96, maxYoungGenerationSizeMb: 16 },
  });
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      void worker.terminate();
      resolve({ ok: false, reason: `still running after ${guardMs} ms` });
    }, guardMs);
    worker.once('message', (value: T) => {
      clearTimeout(timer);
      void worker.terminate();
      resolve({ ok: true, value });
    });
    worker.once('error', (err) => {
      clearTimeout(timer);
      resolve({ ok: false, reason: `${(err as NodeJS.ErrnoException).code ?? ''} ${err.message}`.trim() });
    });
  });
}
