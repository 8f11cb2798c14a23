// MLflow's non-API routes, all under the static prefix: /health, /version, the UI page, and the
// UI's file endpoints /get-artifact and /model-versions/get-artifact.
import fs from 'node:fs';
import { createHash } from 'node:crypto';
import { validatePathIsSafe, guessMimeType } from '../artifact-store.js';
import type { MlflowExchange, RouteDef } from '../exchange.js';
import { pyFloatRepr } from '../../http/pyjson.js';
import { httpDate } from '../../responders.js';
import { MlflowError, sendBody, sendFlaskPage, writeHead } from '../wire.js';
import { missingFile } from './artifacts.js';
import { sqliteSchemeError } from './tracking.js';

export const META_ROUTES: RouteDef[] = [
  { path: '/health', methods: ['GET'], kind: 'meta', handler: (x) => sendBody(x.res, 200, 'text/html; charset=utf-8', 'OK') },
  { path: '/version', methods: ['GET'], kind: 'meta', handler: (x) => sendBody(x.res, 200, 'text/html; charset=utf-8', '2.12.2') },
  { path: '/', methods: ['GET'], kind: 'meta', handler: (x) => sendUiPage(x) },
  { path: '/get-artifact', methods: ['GET'], kind: 'meta', handler: getRunArtifact },
  { path: '/model-versions/get-artifact', methods: ['GET'], kind: 'meta', handler: getModelVersionArtifact },
];

/** The built UI's index.html, as a browser (or a proxy pointed at the UI) receives it. */
export const UI_PAGE =
  '<!doctype html><html lang="en"><head><meta charset="utf-8"/><meta name="viewport" content="width=device-width,initial-scale=1,shrink-to-fit=no"/><link rel="shortcut icon" href="./static-files/favicon.ico"/><meta name="theme-color" content="#000000"/><link rel="manifest" href="./static-files/manifest.json" crossorigin="use-credentials"/><title>MLflow</title><script defer="defer" src="static-files/static/js/main.js"></script><link href="static-files/static/css/main.css" rel="stylesheet"></head><body><noscript>You need to enable JavaScript to run this app.</noscript><div id="root" class="mlflow-ui-container"></div><div id="modal" class="mlflow-ui-container"></div></body></html>';

export function sendUiPage(x: MlflowExchange): Promise<void> {
  return sendBody(x.res, 200, 'text/html; charset=utf-8', UI_PAGE);
}

async function getRunArtifact(x: MlflowExchange): Promise<void> {
  const path = x.query.get('path');
  if (path === null) return sendFlaskPage(x.res, 400);
  const rel = validatePathIsSafe(path);
  const run = x.ctx.store.getRun(x.query.get('run_id') ?? x.query.get('run_uuid') ?? '');
  await sendFromUri(x, run.artifactUri, rel);
}

async function getModelVersionArtifact(x: MlflowExchange): Promise<void> {
  const path = x.query.get('path');
  if (path === null) return sendFlaskPage(x.res, 400);
  const rel = validatePathIsSafe(path);
  const mv = x.ctx.store.getModelVersion(x.query.get('name') ?? '', x.query.get('version') ?? '');
  await sendFromUri(x, mv.source, rel);
}

async function sendFromUri(x: MlflowExchange, uri: string, rel: string): Promise<void> {
  if (uri.startsWith('mlflow-artifacts:')) {
    if (!x.ctx.serveArtifacts) throw sqliteSchemeError();
    await sendFile(x, `${uri.replace(/^mlflow-artifacts:\/*/, '').replace(/\/+$/, '')}/${rel}`);
    return;
  }
  if (uri.startsWith('runs:') || uri.startsWith('models:')) {
    // Resolving runs:/ needs the tracking URI, which is sqlite on the server (as recorded).
    throw sqliteSchemeError();
  }
  throw new MlflowError('INTERNAL_ERROR', `Could not find an artifact repository for '${uri}'`);
}

/** Flask's send_file: length, Last-Modified, no-cache and werkzeug's ETag (mtime-size-adler32). */
async function sendFile(x: MlflowExchange, rel: string): Promise<void> {
  const st = await x.ctx.artifacts.stat(rel);
  if (!st) throw missingFile(rel);
  if (st.isDirectory()) return sendFlaskPage(x.res, 500);
  const abs = x.ctx.artifacts.resolve(rel);
  const name = rel.slice(rel.lastIndexOf('/') + 1);
  const tag = createHash('md5').update(abs).digest().readUInt32BE(0);
  await writeHead(x.res, 200, [
    'Content-Disposition',
    `attachment; filename=${name}`,
    'Content-Type',
    guessMimeType(rel),
    'Content-Length',
    String(st.size),
    'Last-Modified',
    httpDate(st.mtimeMs),
    'Cache-Control',
    'no-cache',
    'ETag',
    `"${pyFloatRepr(st.mtimeMs / 1000)}-${st.size}-${tag}"`,
    'X-Content-Type-Options',
    'nosniff',
  ]);
  if (x.req.method === 'HEAD') {
    x.res.end();
    return;
  }
  fs.createReadStream(abs)
    .on('error', () => x.res.destroy())
    .pipe(x.res);
}
