// The API key never lives in a config file, a flag or an env var other than the one apiKeyEnv names
// (ARCHITECTURE.md, "Invariants": secrets). These checks find key-looking things so they are refused — without echoing them.

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
