// The API key never lives in a config file, a flag or an env var other than the one apiKeyEnv names
// (ARCHITECTURE.md, "Secrets"). These checks find key-looking things so they are refused — without echoing them.

/** True when `value` contains something shaped like a Hokusai API key. */
export function containsKey(value: string): boolean {
  return KEY_SHAPE.test(value);
}

/** True for property names people use for a key ('apiKey', 'api_key', 'token', …). */
export function isKeyFieldName(name: string): boolean {
  return KEY_FIELD_NAMES.has(name.toLowerCase().replace(/[-_]/g, ''));
}

export interface KeyFinding {
  path: PropertyKey[];
  /** 'field': a property named like a key; 'value': a string value shaped like a key. */
  kind: 'field' | 'value';
}

/** Every key-looking property name or string value in parsed JSON, with its path. */
export function findKeys(data: unknown, path: PropertyKey[] = []): KeyFinding[] {
  if (typeof data === 'string') return containsKey(data) ? [{ path, kind: 'value' }] : [];
  if (Array.isArray(data)) return data.flatMap((item, i) => findKeys(item, [...path, i]));
  if (data === null || typeof data !== 'object') return [];
  return Object.entries(data).flatMap(([name, value]) =>
    isKeyFieldName(name) ? [{ path: [...path, name], kind: 'field' as const }] : findKeys(value, [...path, name]),
  );
}

const KEY_SHAPE = /hk_(live|test)_/i;
const KEY_FIELD_NAMES = new Set(['apikey', 'key', 'token', 'apitoken', 'authtoken', 'accesstoken', 'bearertoken', 'secret']);

/** `value` quoted for an error message — unless it looks like a key, which is never echoed. */
export function quoteSafely(value: string): string {
  return containsKey(value) ? '(a value shaped like an API key, not shown)' : JSON.stringify(value);
}

/** Longest key read from stdin: a Hokusai key is ~50 bytes; past this it is not a key (and not read on). */
export const MAX_KEY_BYTES = 4096;

/** The env vars a config file found in the working directory may name in apiKeyEnv: the platform's own. */
const DISCOVERED_KEY_ENV = /^HOKUSAI_[A-Z0-9_]*$/;
const KEY_ROUTING_URLS = ['registryUrl', 'authUrl', 'mlflowUrl', 'mlflowDirectUrl'] as const;
const CLIENT_CERT_FIELDS = ['clientCert', 'clientKey'] as const;

interface PickedSetting {
  value: unknown;
  source: string;
  layer: 'flag' | 'env' | 'entry' | 'defaults' | 'built-in';
}

/**
 * A config file found in the working directory (not given with --config) — a pull request's branch
 * in CI, a cloned repository — cannot choose on its own which secret is sent where:
 *  - its apiKeyEnv may only name a HOKUSAI_* variable (not GITHUB_TOKEN, not a cloud key);
 *  - its URLs, and its client certificate (clientCert/clientKey: which file proves who the user is),
 *    are used only for an environment the user named (--env or HOKUS_CHECK_ENV), never from
 *    "defaults" for a run that names none.
 * `--config FILE` (the user vouches for the file) or the flag itself (--api-key-env, --registry-url, …)
 * lifts each rule. Returns the problems, one line each.
 */
export function discoveredFileProblems(
  layers: ReadonlyArray<Partial<Record<string, PickedSetting>>>,
  environmentNamed: boolean,
  label: string,
): string[] {
  const pick = (field: string) => layers.find((layer) => layer[field])?.[field];
  const fromFile = (s: PickedSetting | undefined): s is PickedSetting => s !== undefined && (s.layer === 'entry' || s.layer === 'defaults');
  const problems: string[] = [];
  const keyEnv = pick('apiKeyEnv');
  if (fromFile(keyEnv) && !DISCOVERED_KEY_ENV.test(String(keyEnv.value))) {
    problems.push(
      `${keyEnv.source} names ${String(keyEnv.value)}: a config file found in the working directory may only name HOKUSAI_* variables ` +
        `for the key; to use it, pass --config ${label} (you vouch for the file) or --api-key-env ${String(keyEnv.value)}`,
    );
  }
  if (!environmentNamed) {
    for (const field of KEY_ROUTING_URLS) {
      const url = pick(field);
      if (fromFile(url)) {
        problems.push(
          `${url.source}: a config file found in the working directory does not choose where the key goes for a run that names ` +
            `no environment; pass --config ${label} or --env NAME, or give the URL as a flag`,
        );
      }
    }
    for (const field of CLIENT_CERT_FIELDS) {
      const file = pick(field);
      if (fromFile(file)) {
        problems.push(
          `${file.source}: a config file found in the working directory does not choose the client certificate for a run that ` +
            `names no environment; pass --config ${label} or --env NAME, or give --client-cert as a flag`,
        );
      }
    }
  }
  return problems;
}
