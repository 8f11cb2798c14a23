// One check per kind of setting, shared by the config-file schema and the flag/env checks, so a value
// gets the same verdict and the same words wherever it was written. Messages omit the field name: the
// caller prefixes it ('--timeout: …', 'hokus-check.config.json: defaults.timeout: …').
import { parseDuration } from './durations.js';
import { UsageError } from './errors.js';
import { containsKey, quoteSafely } from './key-guard.js';
import { parseSize } from './sizes.js';
import { normaliseBaseUrl, urlProblem } from './urls.js';

/** A checked value: the normalised value, or one problem. */
export type Checked<T> = { value: T; problem?: undefined } | { value?: undefined; problem: string };

/** An absolute http(s) base URL, without trailing slashes. */
export function checkBaseUrl(raw: string): Checked<string> {
  const problem = urlProblem(raw);
  return problem ? { problem } : { value: normaliseBaseUrl(raw) };
}

/** The proxy mount on the registry: '/api/mlflow'. Trailing slashes go, so '/' means the registry root (''). */
export function checkMlflowPath(raw: string): Checked<string> {
  if (containsKey(raw)) return { problem: 'looks like an API key; the key never goes here (use apiKeyEnv)' };
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(raw)) {
    return {
      problem: `${quoteSafely(raw)} is a URL, expected a path such as "/api/mlflow" (for a separate MLflow server use mlflowUrl or mlflowDirectUrl)`,
    };
  }
  if (!raw.startsWith('/')) return { problem: `${quoteSafely(raw)} must start with "/" (e.g. "/api/mlflow")` };
  if (/[\s?#]/.test(raw)) return { problem: `${quoteSafely(raw)} must be a plain path, without spaces, "?" or "#"` };
  return { value: raw.replace(/\/+$/, '') };
}

/** The service the key must be valid for ('platform'). Whitespace is refused: auth compares it exactly. */
export function checkServiceId(raw: string): Checked<string> {
  if (containsKey(raw)) return { problem: 'looks like an API key; the key never goes here (use apiKeyEnv)' };
  if (raw === '') return { problem: 'must not be empty (the default is "platform")' };
  if (/\s/.test(raw)) return { problem: `${quoteSafely(raw)} must not contain whitespace` };
  return { value: raw };
}

/** The NAME of the env var holding the key — never the key. */
export function checkEnvVarName(raw: string): Checked<string> {
  if (containsKey(raw)) {
    return { problem: 'takes the NAME of an env var holding the key (e.g. HOKUSAI_API_KEY), not the key itself' };
  }
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(raw)) {
    return { problem: `${quoteSafely(raw)} is not an env var name (letters, digits and _, e.g. HOKUSAI_API_KEY)` };
  }
  return { value: raw };
}

/** A file's path (a client certificate): one line, not empty. The caller resolves a relative one. */
export function checkFilePath(raw: string): Checked<string> {
  if (containsKey(raw)) return { problem: 'looks like an API key; give the path of a PEM file' };
  if (raw.trim() === '') return { problem: 'must not be empty (the path of a PEM file)' };
  if (/[\0\n\r]/.test(raw)) return { problem: 'must be a file path on one line' };
  return { value: raw };
}

/** A duration in ms; `positive` refuses 0 (a timeout of 0 would fail every request). */
export function checkDuration(raw: string, positive: boolean): Checked<number> {
  const ms = parsed(() => parseDuration(raw));
  if (typeof ms === 'string') return { problem: ms };
  if (positive && ms <= 0) return { problem: `${quoteSafely(raw)} must be more than 0` };
  return { value: ms };
}

/** A size in bytes, at least 1 (an empty artifact would prove nothing about the upload path). */
export function checkSize(raw: string): Checked<number> {
  const bytes = parsed(() => parseSize(raw));
  if (typeof bytes === 'string') return { problem: bytes };
  if (bytes < 1) return { problem: `${quoteSafely(raw)} must be at least 1 byte` };
  return { value: bytes };
}

export const MAX_RETRIES = 10;

/** Retries of a transient failure: an integer 0..10 (a number in the file, a string from a flag or env). */
export function checkRetries(raw: string | number): Checked<number> {
  const n = typeof raw === 'number' ? raw : /^\s*\d+\s*$/.test(raw) ? Number(raw) : Number.NaN;
  if (!Number.isInteger(n) || n < 0 || n > MAX_RETRIES) {
    const shown = typeof raw === 'number' ? String(raw) : quoteSafely(raw);
    return { problem: `${shown} is not an integer from 0 to ${MAX_RETRIES}` };
  }
  return { value: n };
}

function parsed(parse: () => number): number | string {
  try {
    return parse();
  } catch (error) {
    if (error instanceof UsageError) return error.message;
    throw error;
  }
}
