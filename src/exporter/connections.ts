// The connection limit (limits.ts, maxConnections): at most `max` client connections open at once,
// so that no number of clients can take the file descriptors the probes need for their own requests.
// At the limit a new connection is admitted by closing the one idle the longest — no request in
// progress: a socket that never sent a byte, a slow client still dribbling its headers, a keep-alive
// connection between requests — as nginx reuses idle connections when worker_connections runs out.
// A scrape in progress is never closed; when every open connection has one, the new one is.
// Slow and idle clients are also dropped on their own by the server's timeouts (server.ts).
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { ConnectionDropReason } from './metrics.js';

interface Held {
  /** Requests on this connection whose answer is not finished. */
  busy: number;
}

/** Installs the limit on `server`; returns how many connections are open now. */
export function limitConnections(server: Server, max: number, dropped: (reason: ConnectionDropReason) => void): () => number {
  // Insertion order is the order they became idle: a connection moves to the end after each answer.
  const open = new Map<Socket, Held>();

  server.on('connection', (socket: Socket) => {
    if (open.size >= max) {
      const idle = longestIdle(open);
      if (idle) {
        open.delete(idle);
        idle.destroy();
        dropped('evicted');
      } else {
        socket.destroy();
        dropped('refused');
        return;
      }
    }
    open.set(socket, { busy: 0 });
    socket.once('close', () => open.delete(socket));
  });

  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const socket = req.socket;
    const held = open.get(socket);
    if (!held) return;
    held.busy++;
    res.once('close', () => {
      held.busy--;
      if (held.busy === 0 && open.delete(socket) && !socket.destroyed) open.set(socket, held);
    });
  });

  return () => open.size;
}

function longestIdle(open: Map<Socket, Held>): Socket | undefined {
  for (const [socket, held] of open) if (held.busy === 0) return socket;
  return undefined;
}
