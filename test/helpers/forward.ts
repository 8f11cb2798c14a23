// The reverse-proxy step the test fronts share (gates, holding and stalling proxies, the TLS front):
// a request sent on to a plain-HTTP upstream, its answer relayed back as it came.
import http from 'node:http';

/** Writes the upstream's status and raw headers, then pipes its body. */
export function relay(up: http.IncomingMessage, res: http.ServerResponse): void {
  res.writeHead(up.statusCode ?? 502, up.rawHeaders);
  up.pipe(res);
}

/**
 * Sends `req` on to `upstream` (its Host header rewritten to the upstream's) and hands the answer to
 * `onAnswer`, which relays it unless told otherwise; an upstream that fails destroys `res`.
 */
export function forward(
  req: http.IncomingMessage,
  res: http.ServerResponse,
  upstream: string | URL,
  onAnswer: (up: http.IncomingMessage) => void = (up) => relay(up, res),
): void {
  const target = new URL(upstream);
  const out = http.request(
    { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: { ...req.headers, host: target.host } },
    onAnswer,
  );
  out.on('error', () => res.destroy());
  req.pipe(out);
}
