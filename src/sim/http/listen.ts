// One loopback HTTP server of the simulated stack: listens, knows its URL, and closes for real
// (idle keep-alive sockets included) so a test's close() never hangs.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export type Handler = (req: http.IncomingMessage, res: http.ServerResponse) => void;

export interface SimServer {
  server: http.Server;
  port: number;
  url: string;
  close(): Promise<void>;
}

export async function listen(handler: Handler, host: string, port = 0): Promise<SimServer> {
  const server = http.createServer(handler);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const bound = (server.address() as AddressInfo).port;
  return {
    server,
    port: bound,
    url: originOf(host, bound),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

export function originOf(host: string, port: number): string {
  return `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
}

/**
 * A loopback port that nothing listens on: connecting to it is refused. Picked below the OS's
 * ephemeral range (Linux 32768–60999, others 49152+) and found free, so no `listen(0)` elsewhere —
 * another test's stack in the same process, say — can be handed it after it is released.
 */
export async function closedPort(host: string): Promise<number> {
  for (let tries = 0; tries < 50; tries++) {
    const port = 20_000 + Math.floor(Math.random() * 12_000);
    try {
      const srv = await listen(() => undefined, host, port);
      await srv.close();
      return port;
    } catch {
      // Taken by someone who chose it: another.
    }
  }
  const srv = await listen(() => undefined, host, 0);
  await srv.close();
  return srv.port;
}
