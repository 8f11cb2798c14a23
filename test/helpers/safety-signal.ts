// For the signal tests: wait until a request the CLI sent reaches a server, and a plain-HTTP proxy
// that holds chosen requests (to make cleanup slow on purpose).
import { forward, relay } from './forward.js';
import { serveHttp, type TestServer } from './safety-servers.js';

/** Polls `seen()` every 10 ms until it is true; throws after `timeoutMs`. */
export async function waitFor(seen: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!seen()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/**
 * A proxy to `upstream` (plain HTTP) that holds a request for `holdMs(method, path)` ms (0 = not at
 * all), and gives up when the client goes away. `holdReply` holds the answer instead: the upstream
 * has done the work (created the resource) when the client gives up — a server that commits an
 * aborted request.
 */
export async function startHoldingProxy(
  upstream: string,
  holdMs: (method: string, path: string) => number,
  opts: { holdReply?: boolean } = {},
): Promise<TestServer> {
  return serveHttp(async (req, res) => {
    const hold = holdMs(req.method ?? 'GET', req.url ?? '/');
    const holding = (): Promise<boolean> =>
      new Promise<boolean>((resolve) => {
        if (res.destroyed) return resolve(true);
        const timer = setTimeout(() => resolve(false), hold);
        res.once('close', () => {
          clearTimeout(timer);
          resolve(true);
        });
      });
    if (hold > 0 && !opts.holdReply && (await holding())) return;
    forward(req, res, upstream, (up) => {
      if (hold > 0 && opts.holdReply) {
        up.pause();
        void holding().then((gone) => (gone ? up.resume() : relay(up, res)));
      } else relay(up, res);
    });
  });
}
