// The API key of each target, from the env var it names or from stdin: never from argv or the config
// file. Shared by `check`, `sweep` and the exporter (which refuses a bad key at start-up, before it
// listens).
import { UsageError } from '../config/errors.js';
import { MAX_KEY_BYTES } from '../config/key-guard.js';
import type { Settings } from '../config/resolve.js';
import { ApiKey } from '../http/secret.js';
import type { Factory } from '../factory.js';

/**
 * Shortest key accepted. A Hokusai key is hk_live_ or hk_test_ and a long secret; anything shorter is
 * a placeholder (`x`, `changeme`) left in a CI variable, and a secret so short that redacting it
 * would mask its characters wherever they occur (src/http/redact.ts).
 */
export const MIN_KEY_LENGTH = 8;

export interface KeyInfo {
  key?: ApiKey;
  hadWhitespace: boolean;
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
    if (length < MIN_KEY_LENGTH) {
      // Its length, never its value: even a placeholder may be a real secret cut short.
      throw new UsageError([
        `the key ${fromStdin ? 'on stdin' : `in ${target.apiKeyEnv}`} is ${length} character${length === 1 ? '' : 's'}: ` +
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
    if (!/^hk_(live|test)_/.test(trimmed))
      io.err(`hokus-check: warning: the key does not look like a Hokusai key (hk_live_… or hk_test_…)\n`);
    keys.set(target.name, { key, hadWhitespace });
  }
  return keys;
}
