// Commands a person can paste to see a failure again: a `curl` line for each failing exchange of a
// root cause, and the `hokus-check` command that confirms the fix with the flags of the run.
// Built from the report model only (src/report/schema.ts), so every format shows the same text.
// Sample:
//   curl -sS -i -X PUT 'https://registry.example.com/api/mlflow/api/2.0/mlflow-artifacts/…/probe.bin' \
//     -H "Authorization: Bearer $HOKUSAI_API_KEY" -H 'Content-Type: application/octet-stream' \
//     --data-binary @hokus-check-body.bin
//   hokus-check --registry-url https://registry.example.com --auth-url https://auth.example.com --only artifact
import { DEFAULTS } from '../config/defaults.js';
import { shellQuote } from '../config/target-flags.js';
import type { ReportExchange, ReportFinding, ReportTarget } from './schema.js';

/** File name a binary request body is written to before the curl line that sends it. */
export const BODY_FILE = 'hokus-check-body.bin';
/** At most this many curl lines per finding: the failing exchanges, first ones first. */
const MAX_REPROS = 2;

/**
 * The curl commands that reproduce a finding's failing exchanges (a status ≥ 400 or no answer),
 * one per distinct method and URL. Each is one shell command line (tokens joined by spaces;
 * `shellTokens` splits it again for wrapping).
 */
export function reproCommands(
  f: Pick<ReportFinding, 'evidence' | 'step'>,
  t: Pick<ReportTarget, 'exchanges' | 'apiKeyEnv'> & { clientCert?: ClientCertPaths | undefined },
): string[] {
  const byId = new Map(t.exchanges.map((x) => [x.id, x]));
  const failing = f.evidence.flatMap((id) => {
    const x = byId.get(id);
    return x !== undefined && failed(x) ? [x] : [];
  });
  // The finding's own step first: that is where the check failed.
  const own = failing.filter((x) => x.step === f.step);
  const seen = new Set<string>();
  const out: string[] = [];
  for (const x of own.length > 0 ? own : failing) {
    const key = `${x.request.method} ${x.request.url}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(curlTokens(x, t.apiKeyEnv ?? DEFAULTS.apiKeyEnv, t.clientCert).join(' '));
    if (out.length === MAX_REPROS) break;
  }
  return out;
}

function failed(x: ReportExchange): boolean {
  return x.response === undefined || x.response.status >= 400;
}

/** The client certificate's files (mutual TLS), for curl's --cert/--key. */
export interface ClientCertPaths {
  path: string;
  keyPath: string;
}

/** The tokens of one curl command line (already shell-quoted). */
export function curlTokens(x: ReportExchange, keyEnv: string, cert?: ClientCertPaths): string[] {
  const q = x.request;
  const tokens: string[] = [];
  const size = q.bodySize ?? 0;
  const textBody = q.bodyExcerpt !== undefined && Buffer.byteLength(q.bodyExcerpt) === size && isPrintable(q.bodyExcerpt);
  // A binary (or only partly recorded) body is sent from a file of the same size.
  if (size > 0 && !textBody) tokens.push('head', '-c', String(size), '/dev/urandom', '>', BODY_FILE, '&&');
  tokens.push('curl', '-sS', '-i');
  // Through a forward proxy the check tunnels every request; curl does that for http:// URLs only
  // with --proxytunnel. The proxy is named (as recorded: no credentials), since curl reads only a
  // lower-case http_proxy for http:// URLs.
  if (x.via !== undefined) tokens.push('--proxytunnel', '-x', shellQuote(x.via));
  // Mutual TLS: the same certificate the try had (curl reads the key from the same file when no --key).
  if (x.clientCert === true && cert !== undefined) {
    tokens.push('--cert', shellQuote(cert.path));
    if (cert.keyPath !== cert.path) tokens.push('--key', shellQuote(cert.keyPath));
  }
  if (q.method !== 'GET' || size > 0) tokens.push('-X', q.method);
  tokens.push(shellQuote(q.url));
  for (const [name, value] of q.headers) {
    const n = name.toLowerCase();
    if (n === 'authorization') {
      const scheme = /^(\S+)\s/.exec(value)?.[1] ?? 'Bearer';
      // Basic is only ever MLflow's pair (config/mlflow-env.ts): curl builds the header from it.
      if (/^basic$/i.test(scheme)) tokens.push('-u', '"$MLFLOW_TRACKING_USERNAME:$MLFLOW_TRACKING_PASSWORD"');
      else tokens.push('-H', `"Authorization: ${scheme} $${keyEnv}"`);
    } else if (n === 'x-api-key') {
      tokens.push('-H', `"X-API-Key: $${keyEnv}"`);
    } else if (n === 'content-type') {
      tokens.push('-H', shellQuote(`Content-Type: ${value}`));
    }
  }
  if (size > 0) tokens.push(textBody ? '--data-raw' : '--data-binary', textBody ? shellQuote(q.bodyExcerpt ?? '') : `@${BODY_FILE}`);
  return tokens;
}

function isPrintable(s: string): boolean {
  // Tabs and newlines survive single quotes; other controls would not paste cleanly.
  return !/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/.test(s);
}

/** Splits a command line made here back into its tokens, keeping quoted words whole. */
export function shellTokens(line: string): string[] {
  return line.match(/(?:\\.|'[^']*'|"[^"]*"|[^\s'"\\]+)+/g) ?? [];
}
