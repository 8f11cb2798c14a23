// The artifact proxy's destination (`--artifacts-destination`): a directory on disk. Uploads are
// piped into a file and downloads streamed out of one, so a 1 GiB artifact never sits in memory.
import fs from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { Readable } from 'node:stream';
import { randomBytes } from 'node:crypto';
import { MlflowError } from './wire.js';

export interface FileInfo {
  path: string;
  isDir: boolean;
  fileSize?: number;
}

export class ArtifactStore {
  constructor(readonly root: string) {}

  /** Absolute path of a validated artifact path (relative to the root). */
  resolve(rel: string): string {
    return path.join(this.root, ...rel.split('/').filter(Boolean));
  }

  /** Streams `body` into `rel` (via a temporary file, renamed when complete). */
  async put(rel: string, body: Readable): Promise<void> {
    const target = this.resolve(rel);
    await fs.promises.mkdir(path.dirname(target), { recursive: true });
    const tmp = path.join(path.dirname(target), `.${path.basename(target)}.${randomBytes(4).toString('hex')}.part`);
    try {
      await pipeline(body, fs.createWriteStream(tmp, { highWaterMark: 1024 * 1024 }));
      await fs.promises.rename(tmp, target);
    } catch (err) {
      await fs.promises.rm(tmp, { force: true });
      throw err;
    }
  }

  async stat(rel: string): Promise<fs.Stats | undefined> {
    try {
      return await fs.promises.stat(this.resolve(rel));
    } catch {
      return undefined;
    }
  }

  /** LocalArtifactRepository.list_artifacts: a directory's entries sorted by path; [] otherwise. */
  async list(rel: string | undefined): Promise<FileInfo[]> {
    const dir = rel ? this.resolve(rel) : this.root;
    let entries: fs.Dirent[];
    try {
      entries = await fs.promises.readdir(dir, { withFileTypes: true });
    } catch {
      return [];
    }
    const infos: FileInfo[] = [];
    for (const e of entries) {
      if (e.name.endsWith('.part') && e.name.startsWith('.')) continue;
      const relPath = rel ? `${rel.replace(/\/+$/, '')}/${e.name}` : e.name;
      if (e.isDirectory()) infos.push({ path: relPath, isDir: true });
      else infos.push({ path: relPath, isDir: false, fileSize: (await fs.promises.stat(path.join(dir, e.name))).size });
    }
    return infos.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  }

  /**
   * LocalArtifactRepository.delete_artifacts in 2.12.2: shutil.rmtree if the path exists — which
   * fails on a single file (NotADirectoryError → Flask's HTML 500; fixed upstream in 2.17).
   */
  async delete(rel: string): Promise<'deleted' | 'missing' | 'is-file'> {
    const st = await this.stat(rel);
    if (!st) return 'missing';
    if (!st.isDirectory()) return 'is-file';
    await fs.promises.rm(this.resolve(rel), { recursive: true, force: true });
    return 'deleted';
  }

  /** Every file under the root, as paths relative to it ('1/<run>/artifacts/x.bin'), sorted. */
  allFiles(): string[] {
    const out: string[] = [];
    const walk = (dir: string, prefix: string): void => {
      let entries: fs.Dirent[];
      try {
        entries = fs.readdirSync(dir, { withFileTypes: true });
      } catch {
        return;
      }
      for (const e of entries) {
        const rel = prefix ? `${prefix}/${e.name}` : e.name;
        if (e.isDirectory()) walk(path.join(dir, e.name), rel);
        else out.push(rel);
      }
    };
    walk(this.root, '');
    return out.sort();
  }

  /** Seeding for tests: writes a file synchronously. */
  writeSync(rel: string, data: Buffer | string): void {
    const target = this.resolve(rel);
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.writeFileSync(target, data);
  }
}

/**
 * mlflow.utils.uri.validate_path_is_safe: decoded, no '#', no '..' segment, not absolute, no
 * backslash — else 400 "Invalid path".
 */
export function validatePathIsSafe(p: string): string {
  let decoded = p;
  for (let i = 0; i < 10; i++) {
    let next: string;
    try {
      next = decodeURIComponent(decoded);
    } catch {
      break;
    }
    if (next === decoded) break;
    decoded = next;
  }
  const invalid = new MlflowError('INVALID_PARAMETER_VALUE', 'Invalid path');
  if (decoded.includes('#') || decoded.includes('\\') || decoded.includes('\0')) throw invalid;
  if (decoded.startsWith('file:')) throw invalid;
  if (decoded.split('/').includes('..') || decoded.startsWith('/') || /^[A-Za-z]:/.test(decoded)) throw invalid;
  return decoded;
}

/** mlflow.utils.mime_type_utils._guess_mime_type: text-ish files are text/plain, unknown binary. */
export function guessMimeType(filePath: string): string {
  const name = path.posix.basename(filePath);
  const dot = name.lastIndexOf('.');
  const ext = dot > 0 ? name.slice(dot + 1) : name;
  if (TEXT_EXTENSIONS.has(ext)) return 'text/plain';
  return MIME_TYPES[ext.toLowerCase()] ?? 'application/octet-stream';
}

const TEXT_EXTENSIONS = new Set([
  'txt',
  'log',
  'err',
  'cfg',
  'conf',
  'cnf',
  'cf',
  'ini',
  'properties',
  'prop',
  'hocon',
  'toml',
  'yaml',
  'yml',
  'xml',
  'json',
  'js',
  'py',
  'py3',
  'csv',
  'tsv',
  'md',
  'rst',
  'MLmodel',
  'MLproject',
]);

const MIME_TYPES: Record<string, string> = {
  html: 'text/html',
  htm: 'text/html',
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  gif: 'image/gif',
  svg: 'image/svg+xml',
  pdf: 'application/pdf',
  zip: 'application/zip',
  tar: 'application/x-tar',
  bin: 'application/octet-stream',
  parquet: 'application/octet-stream',
};
