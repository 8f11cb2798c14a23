// The API key of each target, from the env var it names or from stdin: never from argv or the config
// file — or, for a plain MLflow server, MLflow's own credentials (config/mlflow-env.ts): the token of
// MLFLOW_TRACKING_TOKEN as the key, or the Basic pair of MLFLOW_TRACKING_USERNAME/PASSWORD. Shared by
// `check`, `sweep` and the exporter (which refuses a bad key at start-up, before it listens).
import { UsageError } from '../config/errors.js';
import { MAX_KEY_BYTES } from '../config/key-guard.js';
import { MLFLOW_ENV } from '../config/mlflow-env.js';
import type { Settings } from '../config/resolve.js';
import type { RedactionSecret } from '../http/redact.js';
import { ApiKey, BasicCredentials } from '../http/secret.js';
import type { SentCredentials } from '../diagnosis/types.js';
import type { Factory } from '../factory.js';

/**
 * Shortest key accepted. A Hokusai key is hk_live_ or hk_test_ and a long secret; anything shorter is
 * a placeholder (`x`, `changeme`) left in a CI variable, and a secret so short that redacting it
 * would mask its characters wherever they occur (src/http/redact.ts).
 */
export const MIN_KEY_LENGTH = 8;

export interface KeyInfo {
  key?: ApiKey;
  /** MLflow's Basic credentials (a plain MLflow target with MLFLOW_TRACKING_USERNAME/PASSWORD): sent instead of a key. */
  basic?: BasicCredentials;
  /** What is sent, named, without a secret (for the diagnosis's fixes). */
  sent?: SentCredentials;
  hadWhitespace: boolean;
}

/** Everything of one target's credentials the redactors must hide: the key, or the password and its Basic token. */
export function secretsOf(info: KeyInfo | undefined): RedactionSecret[] {
  return [...(info?.key ? [info.key.value] : []), ...(info?.basic?.secrets() ?? [])];
}

/** What one target sends to authenticate, for the HTTP client: the Basic pair, the key, or nothing. */
export function credentialOf(info: KeyInfo | undefined): ApiKey | BasicCredentials | undefined {
  return info?.basic ?? info?.key;
}

/**
 * The key of each target, from the env var it names or from stdin. Never from argv or the config
 * file. Surrounding whitespace (a pasted newline) is trimmed with a warning.
 */
export async function resolveKeys(
  settings: Settings,
  fromStdin: boolean,
  { io, env }: Pick<Factory, 'io' | 'env'>,
): Promise<Map<string, KeyInfo>> {
  const keys = new Map<string, KeyInfo>();
  const stdinKey = fromStdin ? await io.readStdin(MAX_KEY_BYTES) : undefined;
  if (stdinKey !== undefined && Buffer.byteLength(stdinKey) > MAX_KEY_BYTES) {
    throw new UsageError([`--api-key-stdin: more than ${MAX_KEY_BYTES} bytes on stdin; that is not an API key (stopped reading)`]);
  }
  for (const target of settings.targets) {
    if (target.basicAuthEnv && stdinKey === undefined) {
      const basic = basicOf(target.basicAuthEnv, env);
      const from = `${target.basicAuthEnv.username}/${target.basicAuthEnv.password}`;
      keys.set(target.name, { basic, sent: { scheme: 'basic', from, username: basic.username }, hadWhitespace: false });
      continue;
    }
    const raw = stdinKey ?? env[target.apiKeyEnv];
    if (raw === undefined || raw.trim() === '') {
      if (target.kind === 'mlflow') {
        keys.set(target.name, { hadWhitespace: false });
        continue;
      }
      throw new UsageError([
        `no API key${settings.targets.length > 1 ? ` for ${target.name}` : ''}: set ${target.apiKeyEnv} (or --api-key-env NAME, or --api-key-stdin)`,
      ]);
    }
    const trimmed = raw.trim();
    const length = [...trimmed].length;
    // MLflow's token is a key for MLflow: any shape, from any issuer.
    const mlflowToken = !fromStdin && target.apiKeyEnv === MLFLOW_ENV.token;
    if (length < MIN_KEY_LENGTH) {
      // Its length, never its value: even a placeholder may be a real secret cut short.
      throw new UsageError([
        mlflowToken
          ? `the token in ${MLFLOW_ENV.token} is ${length} character${length === 1 ? '' : 's'}: shorter than ${MIN_KEY_LENGTH}, a placeholder left in a CI variable?`
          : `the key ${fromStdin ? 'on stdin' : `in ${target.apiKeyEnv}`} is ${length} character${length === 1 ? '' : 's'}: ` +
            'a Hokusai key is hk_live_… or hk_test_… and much longer — a placeholder left in a CI variable?',
      ]);
    }
    const hadWhitespace = trimmed !== raw;
    const key = new ApiKey(trimmed);
    if (hadWhitespace)
      io.err(
        `hokus-check: warning: the key in ${fromStdin ? 'stdin' : target.apiKeyEnv} had surrounding whitespace; trimmed (${key.masked()})\n`,
      );
    if (/\s/.test(trimmed))
      throw new UsageError([`the key in ${fromStdin ? 'stdin' : target.apiKeyEnv} contains whitespace inside it (${key.masked()})`]);
    if (!mlflowToken && !/^hk_(live|test)_/.test(trimmed))
      io.err(`hokus-check: warning: the key does not look like a Hokusai key (hk_live_… or hk_test_…)\n`);
    keys.set(target.name, { key, sent: { scheme: 'bearer', from: fromStdin ? 'stdin' : target.apiKeyEnv }, hadWhitespace });
  }
  return keys;
}

/**
 * MLflow's Basic pair, as MLflow's client sends it: exactly as set (no trimming). A password shorter
 * than the key's minimum is refused by its length, never its value: the redactor could not tell so
 * short a secret from ordinary text.
 */
function basicOf(names: { username: string; password: string }, env: Readonly<Record<string, string | undefined>>): BasicCredentials {
  const username = env[names.username] ?? '';
  const password = env[names.password] ?? '';
  const length = [...password].length;
  if (length < MIN_KEY_LENGTH) {
    throw new UsageError([
      `the password in ${names.password} is ${length} character${length === 1 ? '' : 's'}: hokus-check takes passwords of ` +
        `${MIN_KEY_LENGTH} characters or more (it could not hide a shorter one in what it prints) — a placeholder?`,
    ]);
  }
  return new BasicCredentials(username, password);
}
