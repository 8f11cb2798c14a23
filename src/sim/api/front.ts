// What stands in front of the API service: the registry's ALB and an nginx. Their faults answer
// before the API sees the request, with their own fingerprints (awselb/2.0 or nginx HTML).
import type http from 'node:http';
import { PassThrough, type Readable } from 'node:stream';
import type { FaultName } from '../faults.js';
import { linger } from '../http/body.js';
import { sendAlb, sendNginx } from '../responders.js';

export interface FrontOptions {
  faults: ReadonlySet<FaultName>;
  startedAt: number;
  unhealthyForMs: number;
  maxBodyBytes: number;
}

export class FrontDoor {
  private healthHits = 0;
  private searchHits = 0;

  constructor(private readonly opts: FrontOptions) {}

  /**
   * Answers the request itself (true) or lets it through (false). `body` is the request body the
   * API should read: the request itself, or a counting stream when a body limit applies.
   */
  handle(req: http.IncomingMessage, res: http.ServerResponse, pathname: string): { answered: true } | { answered: false; body: Readable } {
    const { faults } = this.opts;
    const method = req.method ?? 'GET';
    if (faults.has('no-healthy-targets')) return this.alb(res);
    if (faults.has('starting-up') && Date.now() - this.opts.startedAt < this.opts.unhealthyForMs) return this.alb(res);
    if (faults.has('flaky-503') && method === 'GET') {
      if (pathname === '/health' && this.healthHits++ < 2) return this.alb(res);
      if (/\/experiments\/search$/.test(pathname) && this.searchHits++ < 2) return this.alb(res);
    }
    if (faults.has('body-too-large') && method === 'PUT' && pathname.includes('mlflow-artifacts')) {
      const max = this.opts.maxBodyBytes;
      const declared = Number(req.headers['content-length'] ?? NaN);
      if (declared > max) {
        sendNginx(res, 413);
        linger(req, 5000);
        return { answered: true };
      }
      return { answered: false, body: limited(req, res, max) };
    }
    return { answered: false, body: req };
  }

  private alb(res: http.ServerResponse): { answered: true } {
    sendAlb(res, 503);
    linger(res.req, 5000);
    return { answered: true };
  }
}

/** A chunked body counted as it streams: nginx answers 413 the moment it passes `max`. */
function limited(req: http.IncomingMessage, res: http.ServerResponse, max: number): Readable {
  const out = new PassThrough();
  let seen = 0;
  req.on('data', (chunk: Buffer) => {
    seen += chunk.length;
    if (seen > max && !out.destroyed) {
      req.unpipe(out);
      out.destroy(new Error('body too large'));
      if (!res.headersSent) sendNginx(res, 413);
      linger(req, 5000);
    }
  });
  req.pipe(out);
  return out;
}
