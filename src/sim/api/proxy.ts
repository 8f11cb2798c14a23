// The API service's MLflow proxy (routes/mlflow_proxy_improved.py), mounted at /api/mlflow and
// /mlflow: forwards method, the path after the mount, dict(query) (repeated keys collapse to the
// last value), and the headers minus host/content-length, adding X-Hokusai-User-Id and
// X-Hokusai-API-Key-Id. Unlike the real proxy, which buffers, bodies stream both ways so a 1 GiB
// artifact passes with flat memory. The reply carries MLflow's status, headers and body after
// uvicorn's own date/server headers — so a client sees two `server`s (uvicorn, then gunicorn).
import http from 'node:http';
import type { Readable } from 'node:stream';
import type { FaultName } from '../faults.js';
import { drain } from '../http/body.js';
import { sendFastApi, uvicornHeaders } from '../responders.js';
import type { Principal } from './middleware.js';
import { targetUrl, type Upstream } from './upstream.js';

export interface ProxyOptions {
  faults: ReadonlySet<FaultName>;
  upstream: Upstream;
  /** Upstream wait for response headers before 504 (the proxy's PROXY_TIMEOUT). */
  timeoutMs: number;
}

/** Request headers never forwarded: the ones httpx sets itself, and hop-by-hop ones. */
const DROPPED_REQUEST_HEADERS = new Set([
  'host',
  'content-length',
  'connection',
  'keep-alive',
  'transfer-encoding',
  'te',
  'trailer',
  'upgrade',
  'proxy-connection',
  'expect',
]);
const DROPPED_RESPONSE_HEADERS = new Set(['transfer-encoding', 'content-encoding']);

export async function proxyToMlflow(
  req: http.IncomingMessage,
  res: http.ServerResponse,
  subpath: string,
  rawQuery: string,
  principal: Principal,
  body: Readable,
  opts: ProxyOptions,
): Promise<void> {
  const { faults } = opts;
  const method = req.method ?? 'GET';
  const isSearch = /(^|\/)experiments\/search$/.test(subpath);

  if (faults.has('echo-key') && isSearch) {
    // A leaky upstream error: the key in a header and in the body. Redaction must catch both.
    await drain(req);
    sendFastApi(res, 500, { detail: `upstream rejected key ${principal.key}` }, ['x-echo-authorization', `Bearer ${principal.key}`]);
    return;
  }
  if (faults.has('gateway-timeout') && method === 'PUT' && subpath.includes('mlflow-artifacts/')) {
    // The proxy buffered the body, then gave up waiting for MLflow. (No real 30 s wait here.)
    await drain(req);
    sendFastApi(res, 504, { detail: 'MLflow server request timeout after 30.0s' });
    return;
  }

  // A proxy pointed at the UI: experiments/search lands on MLflow's index page.
  const path = faults.has('html-instead-of-json') && isSearch ? '' : subpath;
  const target = new URL(targetUrl(opts.upstream, path, dictQuery(rawQuery)));
  const hasBody = req.headers['content-length'] !== undefined || req.headers['transfer-encoding'] !== undefined;
  const bodyMethod =
    method === 'POST' || method === 'PUT' || method === 'PATCH' || (method === 'DELETE' && !faults.has('proxy-drops-delete-body'));
  const forwardBody = hasBody && bodyMethod;

  const headers: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined || DROPPED_REQUEST_HEADERS.has(name)) continue;
    if (faults.has('auth-header-stripped') && (name === 'authorization' || name === 'x-api-key')) continue;
    headers[name] = value;
  }
  headers['x-hokusai-user-id'] = principal.info.user_id;
  headers['x-hokusai-api-key-id'] = principal.info.key_id;
  if (opts.upstream.hostHeader) headers.host = opts.upstream.hostHeader;
  if (forwardBody) {
    const length = req.headers['content-length'];
    if (length !== undefined) headers['content-length'] = length;
    else headers['transfer-encoding'] = 'chunked';
  }

  await new Promise<void>((resolve) => {
    let settled = false;
    const done = (): void => {
      if (!settled) {
        settled = true;
        resolve();
      }
    };
    const upReq = http.request(target, { method, headers, agent: false }, (upRes) => {
      upReq.setTimeout(0);
      const raw: string[] = [...uvicornHeaders()];
      for (let i = 0; i < upRes.rawHeaders.length; i += 2) {
        const name = (upRes.rawHeaders[i] ?? '').toLowerCase();
        if (DROPPED_RESPONSE_HEADERS.has(name)) continue;
        raw.push(name, upRes.rawHeaders[i + 1] ?? '');
      }
      res.sendDate = false;
      res.writeHead(upRes.statusCode ?? 502, raw);
      upRes.pipe(res);
      upRes.on('end', done);
      upRes.on('error', () => {
        res.destroy();
        done();
      });
    });
    upReq.setTimeout(opts.timeoutMs, () => upReq.destroy(new UpstreamTimeout()));
    upReq.on('error', (err) => {
      if (res.writableEnded) {
        // Already answered by someone in front (nginx's 413): nothing to add.
      } else if (res.headersSent || res.destroyed) {
        res.destroy();
      } else if (err instanceof UpstreamTimeout) {
        sendFastApi(res, 504, { detail: `MLflow server request timeout after ${(opts.timeoutMs / 1000).toFixed(1)}s` });
      } else {
        sendFastApi(res, 502, { detail: `Failed to connect to MLflow server at ${opts.upstream.display}` });
      }
      void drain(req);
      done();
    });
    // The client went away: stop the upstream exchange too.
    res.on('close', () => {
      if (!res.writableFinished) upReq.destroy();
      done();
    });
    if (forwardBody) {
      body.pipe(upReq);
      body.on('error', () => upReq.destroy());
    } else {
      upReq.end();
      void drain(req);
    }
  });
}

class UpstreamTimeout extends Error {}

/** dict(request.query_params) re-encoded: one value per key (the last), first-seen key order. */
function dictQuery(rawQuery: string): string {
  if (!rawQuery) return '';
  // A Map keeps each key where it was first seen and overwrites its value: dict() of a multidict.
  const last = new Map<string, string>();
  for (const [k, v] of new URLSearchParams(rawQuery)) last.set(k, v);
  return new URLSearchParams([...last]).toString();
}
