// Keeps a streamed artifact's memory flat. Each chunk that goes out (generated) or comes in (a socket
// read) is a short-lived Buffer whose bytes live outside the JS heap; V8 frees them only when a GC
// runs, and it lets ~30 MiB of them pile up before it does — the process's peak RSS grows by that
// much. A young-generation GC every few MiB (well under 1 ms each) returns them as they go.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

type Gc = (options: { type: 'minor' | 'major' }) => void;

/** Returns `pace(bytes)`: call it with each chunk's size; a minor GC runs every `everyBytes`. */
export function createGcPacer(everyBytes: number): (bytes: number) => void {
  let since = 0;
  return (bytes) => {
    since += bytes;
    if (since < everyBytes) return;
    since = 0;
    exposedGc()?.({ type: 'minor' });
  };
}

let gc: Gc | null | undefined;

/**
 * V8's gc() without starting node with --expose-gc: the flag makes a context created afterwards get
 * it, and is cleared again so nothing else sees a global gc. Where that is not possible, no pacing.
 */
function exposedGc(): Gc | null {
  if (gc !== undefined) return gc;
  try {
    setFlagsFromString('--expose-gc');
    const found: unknown = runInNewContext('typeof gc === "function" ? gc : null');
    gc = typeof found === 'function' ? (found as Gc) : null;
  } catch {
    gc = null;
  } finally {
    setFlagsFromString('--no-expose-gc');
  }
  return gc;
}
