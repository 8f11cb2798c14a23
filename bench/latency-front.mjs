// A delaying loopback front for figure 2 with latency: every request waits `delayMs` before it is
// forwarded to the stack, as a real network's round trip makes it wait. Both the check and the floor
// go through it, so each pays the latency once per request it sends one after another — and only
// once for requests it sends side by side. Runs in the bench's own process, next to the stack.
import http from 'node:http';

/** Starts a front for `upstream` (an http:// origin); resolves with its URL and close(). */
export function startLatencyFront(upstream, delayMs) {
  const target = new URL(upstream);
  const agent = new http.Agent({ keepAlive: true });
  const server = http.createServer((req, res) => {
    setTimeout(() => {
      const forward = http.request(
        {
          host: target.hostname,
          port: target.port,
          method: req.method,
          path: req.url,
          headers: { ...req.headers, host: target.host },
          agent,
        },
        (up) => {
          res.writeHead(up.statusCode ?? 502, up.rawHeaders);
          up.pipe(res);
        },
      );
      forward.on('error', () => res.destroy());
      req.pipe(forward);
    }, delayMs);
  });
  server.keepAliveTimeout = 5000;
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      resolve({
        url: `http://127.0.0.1:${port}`,
        close: () =>
          new Promise((done) => {
            server.closeAllConnections();
            server.close(() => done());
            agent.destroy();
          }),
      });
    });
  });
}
