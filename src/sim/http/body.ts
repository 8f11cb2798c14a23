// Request bodies: small JSON bodies are read whole (with a cap); everything else is streamed or
// drained, never buffered.
import type http from 'node:http';

/** Reads the whole body up to `cap` bytes; the rest is drained and `truncated` is set. */
export async function readBody(req: http.IncomingMessage, cap = 16 * 1024 * 1024): Promise<{ body: Buffer; truncated: boolean }> {
  const chunks: Buffer[] = [];
  let size = 0;
  let truncated = false;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    if (size + chunk.length > cap) {
      truncated = true;
      continue;
    }
    chunks.push(chunk);
    size += chunk.length;
  }
  return { body: Buffer.concat(chunks, size), truncated };
}

/** Reads and discards the rest of the body; resolves when it ended or the socket closed. */
export function drain(req: http.IncomingMessage): Promise<void> {
  if (req.readableEnded || req.destroyed) return Promise.resolve();
  return new Promise((resolve) => {
    const done = (): void => {
      req.off('end', done);
      req.off('close', done);
      req.off('error', done);
      resolve();
    };
    req.on('end', done);
    req.on('close', done);
    req.on('error', done);
    req.resume();
  });
}

/**
 * Like a server's lingering close: discards the rest of the body so the client can read the reply,
 * but gives up (drops the connection) after `maxMs`.
 */
export function linger(req: http.IncomingMessage, maxMs: number): void {
  if (req.readableEnded) return;
  const timer = setTimeout(() => req.socket.destroy(), maxMs);
  timer.unref();
  void drain(req).then(() => clearTimeout(timer));
}
