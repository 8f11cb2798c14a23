// The API key of each target, from the env var it names or from stdin: never from argv or the config
// file. Shared by `check` and `sweep`.
import { UsageError } from '../config/errors.js';
import { MAX_KEY_BYTES } from '../config/key-guard.js';
import type { Settings } from '../config/resolve.js';
import { ApiKey } from '../http/secret.js';
import type { Factory } from '../factory.js';

export interface KeyInfo {
  key?: ApiKey;
  hadWhitespace: boolean;
}

/**
 * The key of each target, from the env var it names or from stdin. Never from argv or the config
 * file. Surrounding whitespace (a pasted newline) is trimmed with a warning.
 */
export async function resolveKeys(settings: Settings, fromStdin: boolean, { io, env }: Pick<Factory, 'io' | 'env'>): Promise<Map<string, KeyInfo>> {
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
    const hadWhitespace = trimmed !== raw;
    const key = new ApiKey(trimmed);
    if (hadWhitespace) io.err(`hokus-check: warning: the key in ${fromStdin ? 'stdin' : target.apiKeyEnv} had surrounding whitespace; trimmed (${key.masked()})\n`);
    if (/\s/.test(trimmed)) throw new UsageError([`the key in ${fromStdin ? 'stdin' : target.apiKeyEnv} contains whitespace inside it (${key.masked()})`]);
    if (!/^hk_(live|test)_/.test(trimmed)) io.err(`hokus-check: warning: the key does not look like a Hokusai key (hk_live_… or hk_test_…)\n`);
    keys.set(target.name, { key, hadWhitespace });
  }
  return keys;
}
