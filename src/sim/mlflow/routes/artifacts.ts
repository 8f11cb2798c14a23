// The artifact proxy (`--serve-artifacts`): /api/2.0/mlflow-artifacts/artifacts[/<path>] streamed
// to and from disk, with 2.12.2's quirks as recorded — a missing file's GET is a JSON 500, a
// DELETE of a single file is Flask's HTML 500 (rmtree on a file), `..` is 400 "Invalid path".
import fs from 'node:fs';
import { Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { drain } from '../../http/body.js';
import { guessMimeType, validatePathIsSafe } from '../artifact-store.js';
import type { MlflowExchange, RouteDef } from '../exchange.js';
import { nonEmpty } from '../proto.js';
import { requestMessage } from '../request-message.js';
import { MlflowError, sendFlaskPage, sendProto, writeHead } from '../wire.js';
import { str } from './specs.js';

export const ARTIFACT_ROUTES: RouteDef[] = [
  { path: '/mlflow-artifacts/artifacts', methods: ['GET'], kind: 'artifacts', handler: listArtifacts },
  { path: '/mlflow-artifacts/artifacts', pathParam: true, methods: ['GET'], kind: 'artifacts', handler: downloadArtifact },
  { path: '/mlflow-artifacts/artifacts', pathParam: true, methods: ['PUT'], kind: 'artifacts', handler: uploadArtifact },
  { path: '/mlflow-artifacts/artifacts', pathParam: true, methods: ['DELETE'], kind: 'artifacts', handler: deleteArtifact },
  { path: '/mlflow-artifacts/mpu/create', pathParam: true, methods: ['POST'], kind: 'artifacts', handler: multipartUnsupported },
  { path: '/mlflow-artifacts/mpu/complete', pathParam: true, methods: ['POST'], kind: 'artifacts', handler: multipartUnsupported },
  { path: '/mlflow-artifacts/mpu/abort', pathParam: true, methods: ['POST'], kind: 'artifacts', handler: multipartUnsupported },
];

const STORAGE_DENIED = 'An error occurred (AccessDenied) when calling the PutObject operation: Access Denied';

async function uploadArtifact(x: MlflowExchange): Promise<void> {
  const rel = validatePathIsSafe(x.artifactPath ?? '');
  if (x.ctx.faults.has('storage-denied')) {
    await drain(x.req);
    throw new MlflowError('INTERNAL_ERROR', STORAGE_DENIED);
  }
  try {
    await x.ctx.artifacts.put(rel, x.req);
  } catch (err) {
    if (x.req.destroyed || x.res.destroyed) return; // the client went away mid-upload
    throw err;
  }
  await sendProto(x.res, {});
}

async function downloadArtifact(x: MlflowExchange): Promise<void> {
  const rel = validatePathIsSafe(x.artifactPath ?? '');
  await sendArtifactFile(x, rel);
}

/** Streams an artifact file as _download_artifact does (chunked, guessed type, as attachment). */
export async function sendArtifactFile(x: MlflowExchange, rel: string): Promise<void> {
  const st = await x.ctx.artifacts.stat(rel);
  if (!st) throw missingFile(rel);
  if (st.isDirectory()) {
    await sendFlaskPage(x.res, 500); // IsADirectoryError in the handler
    return;
  }
  const name = rel.slice(rel.lastIndexOf('/') + 1);
  await writeHead(x.res, 200, [
    'Transfer-Encoding',
    'chunked',
    'Content-Type',
    guessMimeType(rel),
    'Content-Disposition',
    `attachment; filename=${name}`,
    'X-Content-Type-Options',
    'nosniff',
  ]);
  if (x.req.method === 'HEAD') {
    x.res.end();
    return;
  }
  const file = fs.createReadStream(x.ctx.artifacts.resolve(rel), { highWaterMark: 256 * 1024 });
  try {
    if (x.ctx.faults.has('artifact-corrupted')) await pipeline(file, flipByteAt(Math.floor(st.size / 2)), x.res);
    else await pipeline(file, x.res);
  } catch {
    x.res.destroy();
  }
}

/** The recorded 500 for a file that is not there (the destination shows as ./artifacts). */
export function missingFile(rel: string): MlflowError {
  return new MlflowError(
    'INTERNAL_ERROR',
    `The following failures occurred while downloading one or more artifacts from ./artifacts:\n##### File ${rel} #####\n[Errno 2] No such file or directory: './artifacts/${rel}'`,
  );
}

async function listArtifacts(x: MlflowExchange): Promise<void> {
  const m = await requestMessage(x, { path: 'string' });
  const rel = m.path === undefined ? undefined : validatePathIsSafe(str(m.path));
  const infos = await x.ctx.artifacts.list(rel);
  const files = infos.map((f) => ({
    path: f.path.slice(f.path.lastIndexOf('/') + 1),
    is_dir: f.isDir,
    file_size: f.fileSize,
  }));
  await sendProto(x.res, { files: nonEmpty(files) });
}

async function deleteArtifact(x: MlflowExchange): Promise<void> {
  const rel = validatePathIsSafe(x.artifactPath ?? '');
  await requestMessage(x, { path: 'string' });
  if (x.ctx.faults.has('artifact-delete-fails'))
    throw new MlflowError('INTERNAL_ERROR', `Failed to delete artifacts at ${rel}: AccessDenied (s3:DeleteObject)`);
  const outcome = await x.ctx.artifacts.delete(rel);
  if (outcome === 'is-file') {
    await sendFlaskPage(x.res, 500);
    return;
  }
  await sendProto(x.res, {});
}

function multipartUnsupported(x: MlflowExchange): Promise<void> {
  validatePathIsSafe(x.artifactPath ?? '');
  return Promise.reject(new MlflowError('NOT_IMPLEMENTED', 'Multipart upload is not supported for the current artifact repository'));
}

/** The artifact-corrupted fault: same length, one byte inverted at `offset`. */
function flipByteAt(offset: number): Transform {
  let seen = 0;
  return new Transform({
    transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback) {
      if (offset >= seen && offset < seen + chunk.length) {
        const copy = Buffer.from(chunk);
        copy[offset - seen] = (copy[offset - seen] ?? 0) ^ 0xff;
        chunk = copy;
      }
      seen += chunk.length;
      done(null, chunk);
    },
  });
}
