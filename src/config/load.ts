// Finding, reading and validating the config file: `--config PATH`, else ./hokus-check.config.json
// when present, else none. Every problem in the file is reported at once, one line each.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { UsageError } from './errors.js';
import { type ConfigFile, validateConfig } from './file-schema.js';
import { locateJsonError } from './json-position.js';
import { quoteSafely } from './key-guard.js';

export const CONFIG_FILE_NAME = 'hokus-check.config.json';

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
  const readFile = input.readFile ?? readTextFile;
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

function readTextFile(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}
