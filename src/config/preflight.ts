// What a user typed, checked before the first request is sent: output paths that cannot be written
// (or are not plain files: a symlink, a FIFO, a terminal or device), two formats sent to stdout, a CA
// file that is not PEM, a registry URL that already ends in the MLflow mount, a proxy variable or a
// --post-report URL that will not do. Each problem is one line; the caller turns them into exit 2
// (src/config/errors.ts).
import { accessSync, constants, lstatSync, readFileSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { Target } from '../steps/types.js';

/** Output flags that name a file ('-' is stdout where the format allows it). */
export const OUTPUT_FLAGS = { json: '--json', junit: '--junit', markdown: '--markdown', har: '--har', prometheus: '--prometheus' } as const;
export type OutputName = keyof typeof OUTPUT_FLAGS;

/** Problems with the output paths, resolved against `cwd`. */
export function outputProblems(outputs: Partial<Record<OutputName, unknown>>, cwd: string): string[] {
  const problems: string[] = [];
  const toStdout: string[] = [];
  const seen = new Map<string, string>();
  for (const [name, flag] of Object.entries(OUTPUT_FLAGS) as Array<[OutputName, string]>) {
    const value = outputs[name];
    if (typeof value !== 'string') continue;
    if (value === '-') {
      if (name === 'json') toStdout.push(flag);
      else problems.push(`${flag} -: only --json can go to stdout; give ${flag} a file name`);
      continue;
    }
    if (value.trim() === '') {
      problems.push(`${flag}: empty file name`);
      continue;
    }
    const path = resolve(cwd, value);
    const other = seen.get(path);
    if (other !== undefined) problems.push(`${flag} ${value}: the same file as ${other}; give each format its own file`);
    seen.set(path, flag);
    const kind = statKind(path);
    if (kind === 'dir') problems.push(`${flag} ${value}: is a directory; give a file name`);
    const special = specialFile(path);
    if (special) problems.push(`${flag} ${value}: ${special}`);
    // Missing directories are created when the file is written; one that is a file, or a directory
    // that cannot be written, would fail only after the whole check ran.
    const ancestor = existingAncestor(dirname(path));
    if (ancestor.kind === 'file') problems.push(`${flag} ${value}: ${ancestor.path} is a file, not a directory`);
    else if (!writable(ancestor.path)) problems.push(`${flag} ${value}: cannot write in ${ancestor.path} (permission denied)`);
  }
  if (toStdout.length > 1) problems.push(`${toStdout.join(' and ')} both write to stdout; send one of them to a file`);
  return problems;
}

/**
 * An existing path that is not a plain file: written through, a symlink would replace its target,
 * a FIFO blocks with no reader, and /dev/stdout under `> file` truncates what was written before.
 */
function specialFile(path: string): string | undefined {
  let st;
  try {
    st = lstatSync(path);
  } catch {
    return undefined;
  }
  if (st.isSymbolicLink()) return 'is a symbolic link; hokus-check does not write through links: give the real path';
  if (st.isFIFO() || st.isSocket()) return 'is a pipe or socket, not a file; give a file name';
  if (st.isCharacterDevice() || st.isBlockDevice())
    return `is a device, not a file${/^\/dev\/(stdout|fd\/1)$|^\/proc\/self\/fd\/1$/.test(path) ? '; for stdout give -' : '; leave the flag out to write nothing'}`;
  return undefined;
}

/** The forward-proxy variables the check would use: each must be an http(s) URL with a host. */
export function proxyVariableProblems(env: Readonly<Record<string, string | undefined>>): string[] {
  const problems: string[] = [];
  for (const name of ['HTTPS_PROXY', 'https_proxy', 'HTTP_PROXY', 'http_proxy']) {
    const value = env[name];
    if (value === undefined || value === '') continue;
    const shown = withoutUserinfo(value);
    let u: URL;
    try {
      u = new URL(value);
    } catch {
      problems.push(`${name}=${shown}: not a URL; give the proxy as http://host:port`);
      continue;
    }
    if ((u.protocol !== 'http:' && u.protocol !== 'https:') || u.hostname === '')
      problems.push(`${name}=${shown}: give the proxy as http://host:port (or https://)`);
  }
  return problems;
}

/** --post-report: an http(s) URL without credentials (the collector must not get them in a URL, nor logs show them). */
export function postReportProblem(url: string | undefined): string | undefined {
  if (url === undefined) return undefined;
  const shown = withoutUserinfo(url);
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return `--post-report ${shown}: not a URL`;
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:')
    return `--post-report ${shown}: ${u.protocol} URLs are not supported; give http(s)://`;
  if (u.username !== '' || u.password !== '')
    return `--post-report ${shown}: the URL must not contain credentials (they would reach logs); let the collector authenticate otherwise`;
  return undefined;
}

/** A URL as a problem line shows it: the part before '@' in its authority replaced, whether or not it parses. */
function withoutUserinfo(raw: string): string {
  return raw.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/?#@]*@/i, '$1…@').slice(0, 200);
}

/** A --ca-file must hold at least one PEM certificate. */
export function caFileProblem(path: string | undefined, source = '--ca-file'): string | undefined {
  if (path === undefined) return undefined;
  let text: string;
  try {
    text = readFileSync(path, 'latin1');
  } catch (err) {
    return `${source}: cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? 'error'}`;
  }
  return /-----BEGIN CERTIFICATE-----/.test(text)
    ? undefined
    : `${source} ${path}: not a PEM certificate file (no "-----BEGIN CERTIFICATE-----")`;
}

/**
 * A registry URL that already ends in the MLflow mount (`https://registry/api/mlflow`) would make
 * every call `…/api/mlflow/api/mlflow/api/2.0/…`.
 */
export function registryUrlProblem(target: Pick<Target, 'name' | 'kind' | 'registryUrl' | 'mlflowPath'>): string | undefined {
  if (target.kind !== 'hokusai' || target.registryUrl === undefined || target.mlflowPath === '') return undefined;
  let path: string;
  try {
    path = new URL(target.registryUrl).pathname.replace(/\/+$/, '');
  } catch {
    return undefined;
  }
  const mount = target.mlflowPath.replace(/\/+$/, '');
  if (mount === '' || !path.endsWith(mount)) return undefined;
  const base = target.registryUrl.replace(/\/+$/, '').slice(0, -mount.length);
  const where = target.name === 'default' ? '--registry-url' : `environment "${target.name}": registryUrl`;
  return `${where} ${target.registryUrl} already ends in the MLflow mount ${mount}; give the API service's base (${base || '/'}) — the mount is --mlflow-path`;
}

/** The nearest ancestor of `dir` (itself included) that exists. */
function existingAncestor(dir: string): { path: string; kind: 'file' | 'dir' } {
  let current = dir;
  for (;;) {
    const kind = statKind(current);
    if (kind !== 'missing') return { path: current, kind };
    const up = dirname(current);
    if (up === current) return { path: current, kind: 'dir' };
    current = up;
  }
}

function writable(dir: string): boolean {
  try {
    accessSync(dir, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

function statKind(path: string): 'file' | 'dir' | 'missing' {
  try {
    return statSync(path).isDirectory() ? 'dir' : 'file';
  } catch {
    return 'missing';
  }
}
