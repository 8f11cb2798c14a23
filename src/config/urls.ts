// Base URLs of the target (registry, auth, MLflow): absolute http(s), no credentials, query or fragment,
// trailing slashes removed so paths can be appended. Shared by the file schema and the flag checks.
// Also the owner of the origins the key may be sent to.
import type { Target } from '../steps/types.js';
import { containsKey } from './key-guard.js';

/** The key may go to these origins only: the configured auth, registry, MLflow and direct-MLflow hosts. */
export function keyOrigins(target: Pick<Target, 'authUrl' | 'registryUrl' | 'mlflowUrl' | 'mlflowDirectUrl'>): string[] {
  return [target.authUrl, target.registryUrl, target.mlflowUrl, target.mlflowDirectUrl]
    .filter((u): u is string => !!u)
    .map((u) => new URL(u).origin);
}

/** What is wrong with `value` as a base URL, as a message without the field name; undefined when fine. */
export function urlProblem(value: string): string | undefined {
  // Never echo a key, not even in an error message.
  if (containsKey(value)) return 'looks like it contains an API key; the key never goes in a URL (use apiKeyEnv)';
  const text = value.trim();
  const url = URL.canParse(text) ? new URL(text) : undefined;
  if (!url || !HTTP_SCHEME.test(text)) {
    // A query or fragment may hold a secret (?token=…), and so may credentials (user:password@), also
    // in a URL that does not parse: the message never shows either.
    const bare = withoutUserinfo(value);
    const shown = withoutQuery(bare);
    const hidden = [bare === value ? '' : 'credentials', shown === bare ? '' : 'query'].filter(Boolean);
    const hint = hidden.length === 0 ? schemelessHint(text) : undefined;
    if (hint) return `${JSON.stringify(value)} is not a URL; did you mean ${hint}?`;
    return `invalid URL ${JSON.stringify(shown)}${hidden.length > 0 ? ` (${hidden.join(' and ')} not shown)` : ''} (expected http(s)://host)`;
  }
  // The credentials themselves are not echoed: they may be secrets.
  if (url.username !== '' || url.password !== '') return 'must not contain credentials (user:password@)';
  if (url.search !== '' || url.hash !== '') {
    return `${JSON.stringify(`${url.origin}${url.pathname}`)} must be a base URL, without "?query" or "#fragment" (not shown: either may hold a secret)`;
  }
  return undefined;
}

/**
 * `scheme://user:password@host…` → `scheme://…@host…`, found by text (the URL may not parse): what
 * follows `//` up to the last `@` before the path. Also a userinfo without a scheme (`user:pw@host`).
 */
export function withoutUserinfo(value: string): string {
  const m = /^(\s*(?:[a-z][a-z0-9+.-]*:)?\/\/|\s*)([^/?#]*)@/i.exec(value);
  return m === null || m[2] === '' ? value : `${m[1]}…@${value.slice(m[0].length)}`;
}

/** The credentials of a URL (user:password, or the user alone), found by text; undefined when it has none. */
export function userinfoOf(value: string): string | undefined {
  const m = /^\s*(?:[a-z][a-z0-9+.-]*:)?\/\/([^/?#]*)@/i.exec(value);
  return m === null || m[1] === '' ? undefined : m[1];
}

function withoutQuery(value: string): string {
  const cut = value.search(/[?#]/);
  return cut < 0 ? value : `${value.slice(0, cut)}?…`;
}

/** The URL as a base: trimmed, without trailing slashes. Assumes urlProblem(value) is undefined. */
export function normaliseBaseUrl(value: string): string {
  const url = new URL(value.trim());
  return `${url.origin}${url.pathname}`.replace(/\/+$/, '');
}

/** 'registry.hokus.ai' → 'https://registry.hokus.ai'; loopback hosts get http://. Undefined when no guess fits. */
function schemelessHint(text: string): string | undefined {
  // 'host:8080' is a host and port, 'htp:/x' is a mistyped scheme.
  if (text === '' || /^[a-z][a-z0-9+.-]*:(?!\d)/i.test(text)) return undefined;
  const scheme = /^(localhost|127\.|\[::1\])/i.test(text) ? 'http' : 'https';
  const guess = `${scheme}://${text.replace(/\/+$/, '')}`;
  return URL.canParse(guess) && new URL(guess).hostname !== '' ? guess : undefined;
}

// zod's z.url() applies the same guard: 'http:host' and 'https:/path' parse with WHATWG URL but are typos.
const HTTP_SCHEME = /^https?:\/\/[^/]/i;
