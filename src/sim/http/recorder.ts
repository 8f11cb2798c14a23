// The stack's request log: every request each server received, in order, with credentials
// redacted (the key never reaches a log line or a recorded request), plus one log line per reply.
import type http from 'node:http';
import type { Handler } from './listen.js';

export type ServerName = 'auth' | 'api' | 'mlflow' | 'external';

export interface SimRequest {
  server: ServerName;
  method: string;
  /** Path with query; api_key= values redacted. */
  path: string;
  /** Lower-cased names; authorization / x-api-key (and cookie) values are '<redacted>'. */
  headers: Record<string, string | string[]>;
  /** Epoch ms when the request arrived. */
  at: number;
}

const SECRET_HEADERS = new Set(['authorization', 'x-api-key', 'cookie', 'proxy-authorization']);

export class Recorder {
  private readonly list: SimRequest[] = [];

  constructor(private readonly log?: (line: string) => void) {}

  /** Wraps a server's handler so each request is recorded before it is handled. */
  wrap(server: ServerName, handler: Handler): Handler {
    return (req, res) => {
      const entry: SimRequest = {
        server,
        method: req.method ?? 'GET',
        path: redactPath(req.url ?? '/'),
        headers: redactHeaders(req.headers),
        at: Date.now(),
      };
      this.list.push(entry);
      if (this.log) {
        const log = this.log;
        res.once('close', () => {
          const status = res.headersSent ? String(res.statusCode) : 'aborted';
          log(`${server.padEnd(4)} ${entry.method} ${entry.path} -> ${status}`);
        });
      }
      try {
        handler(req, res);
      } catch (err) {
        crash(res, err);
      }
    };
  }

  all(): SimRequest[] {
    return this.list.map((r) => ({ ...r, headers: { ...r.headers } }));
  }
}

export function redactPath(path: string): string {
  return path.replace(/([?&]api_key=)[^&#]*/gi, '$1<redacted>');
}

export function redactHeaders(headers: http.IncomingHttpHeaders): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    out[name] = SECRET_HEADERS.has(name) ? '<redacted>' : value;
  }
  return out;
}

/** Last resort for a handler that threw: a bare 500, or a dropped socket if the reply started. */
export function crash(res: http.ServerResponse, err: unknown): void {
  if (res.headersSent) {
    res.destroy(err instanceof Error ? err : undefined);
    return;
  }
  res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' });
  res.end('Internal Server Error');
}
