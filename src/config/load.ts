// Finding, reading and validating the config file: `--config PATH`, else ./hokus-check.config.json
// when present, else none. Every problem in the file is reported at once, one line each.
import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import { resolve } from 'node:path';
import { UsageError } from './errors.js';
import { type ConfigFile, validateConfig } from './file-schema.js';
import { locateJsonError } from './json-position.js';
import { DEFAULTS } from './defaults.js';
import { quoteSafely } from './key-guard.js';

export const CONFIG_FILE_NAME: string = DEFAULTS.config;

export interface LoadedConfig {
  config: ConfigFile;
  /** Absolute path of the file. */
  path: string;
  /** How messages name the file: the --config value as given, or the default file name. */
  label: string;
}

export type ReadFile = (path: string) => string | undefined;

/** The config file in use, validated; undefined when none was given and none is in cwd. Throws UsageError. */
export function loadConfigFile(input: { configFlag?: string; cwd: string; readFile?: ReadFile }): LoadedConfig | undefined {
  const readFile = input.readFile ?? readConfigText;
  const given = input.configFlag !== undefined;
  const label = input.configFlag ?? CONFIG_FILE_NAME;
  const path = resolve(input.cwd, label);
  const text = readFile(path);
  if (text === undefined) {
    if (given) throw new UsageError(`--config ${quoteSafely(label)}: cannot read ${path} (no such file, or not readable)`);
    return undefined;
  }
  return { config: parseConfigText(text, label), path, label };
}

/** Parse and validate config text; `label` prefixes each problem line. Throws UsageError. */
export function parseConfigText(text: string, label: string): ConfigFile {
  // Editors on Windows may save a byte-order mark; JSON.parse refuses it.
  const body = text.startsWith('\uFEFF') ? text.slice(1) : text;
  let data: unknown;
  try {
    data = JSON.parse(body);
  } catch {
    const at = locateJsonError(body);
    throw new UsageError(at ? `${label}:${at.line}:${at.column}: invalid JSON: ${at.reason}` : `${label}: invalid JSON`);
  }
  const { config, problems } = validateConfig(data);
  if (!config) throw new UsageError(problems.map((problem) => `${label}: ${problem}`));
  return config;
}

/** A config file is a few KiB of JSON: anything past this is not one. */
export const CONFIG_MAX_BYTES = 1024 * 1024;

/**
 * The file's text, read with a bound: a regular file only (a symlink is followed, but to a device,
 * a FIFO or a directory it is refused — a branch may carry `hokus-check.config.json -> /dev/zero`),
 * at most CONFIG_MAX_BYTES whatever its size claims. Undefined when it does not exist or cannot be read.
 */
export function readConfigText(path: string): string | undefined {
  return readBoundedText(path, { what: 'a config file', is: 'a JSON file', of: 'JSON' });
}

/** How readBoundedText's messages name the file it expected: 'a config file', 'a JSON file', 'JSON'. */
export interface FileKind {
  what: string;
  is: string;
  of: string;
}

/** readConfigText for any small text file the user names (a client certificate): the same bounds, its own words. */
export function readBoundedText(path: string, kind: FileKind): string | undefined {
  let fd: number;
  try {
    // Non-blocking: opening a FIFO with no writer must not wait.
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch {
    return undefined;
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile())
      throw new UsageError(
        `${path}: not a regular file (${st.isDirectory() ? 'a directory' : st.isFIFO() ? 'a FIFO' : st.isCharacterDevice() || st.isBlockDevice() ? 'a device' : 'a socket'}); ${kind.what} is ${kind.is}`,
      );
    if (st.size > CONFIG_MAX_BYTES)
      throw new UsageError(`${path}: ${st.size} bytes; ${kind.what} is at most ${CONFIG_MAX_BYTES} bytes of ${kind.of}`);
    const buf = Buffer.alloc(CONFIG_MAX_BYTES + 1);
    let got = 0;
    for (;;) {
      const n = readSync(fd, buf, got, buf.length - got, null);
      if (n === 0) break;
      got += n;
      if (got > CONFIG_MAX_BYTES)
        throw new UsageError(`${path}: more than ${CONFIG_MAX_BYTES} bytes; ${kind.what} is at most that much ${kind.of}`);
    }
    return buf.subarray(0, got).toString('utf8');
  } catch (err) {
    if (err instanceof UsageError) throw err;
    return undefined;
  } finally {
    closeSync(fd);
  }
}
