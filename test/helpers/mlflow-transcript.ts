// Recorded MLflow transcripts (test/fixtures/mlflow-*/…jsonl, one exchange a line), read, replayed
// against the simulator and compared with what it answers: for the contract tests (test/contract/)
// and the profiles' test (test/unit/diagnosis/profiles.test.ts).
import { readFileSync } from 'node:fs';
import { request, type RawResponse } from '../unit/sim/http.js';

/** One recorded exchange. */
export interface Recorded {
  step: number;
  name: string;
  method: string;
  path: string;
  request_headers: Record<string, string>;
  request_body: string | null;
  status: number;
  response_headers: Record<string, string>;
  response_body: string;
}

export function readTranscript(file: URL | string): Recorded[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as Recorded);
}

export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Sends a recorded request to `baseUrl`, its path and body passed through `rewrite` (the recording's
 * ids → the simulator's); host, content-length and connection are the client's own.
 */
export function replay(baseUrl: string, rec: Recorded, rewrite: (text: string) => string): Promise<RawResponse> {
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(rec.request_headers)) {
    if (!['host', 'content-length', 'connection'].includes(k.toLowerCase())) headers[k] = v;
  }
  const body = rec.request_body === null ? undefined : rewrite(rec.request_body);
  return request(baseUrl, rewrite(rec.path), { method: rec.method, headers, ...(body === undefined ? {} : { body }) });
}

export interface DiffRules {
  /** A key's values judged on their own: the difference, '' for none, or undefined to compare them as usual. */
  key?: (key: string, rec: Record<string, unknown>, sim: Record<string, unknown>, at: string) => string | undefined;
  /** Two values that are not both arrays or objects: the difference, or ''. */
  leaf: (rec: unknown, sim: unknown, at: string) => string;
}

/**
 * The first difference between a recorded JSON value and the simulator's, or '': arrays item by
 * item, objects by their keys in order and then each value, the rest by `rules`.
 */
export function jsonDiff(rec: unknown, sim: unknown, rules: DiffRules, at = '$'): string {
  if (Array.isArray(rec)) {
    if (!Array.isArray(sim)) return `${at}: expected an array`;
    if (rec.length !== sim.length) return `${at}: ${sim.length} items, recorded ${rec.length}`;
    for (let i = 0; i < rec.length; i++) {
      const d = jsonDiff(rec[i], sim[i], rules, `${at}[${i}]`);
      if (d) return d;
    }
    return '';
  }
  if (isObject(rec)) {
    if (!isObject(sim)) return `${at}: expected an object`;
    const rk = Object.keys(rec).join(',');
    const sk = Object.keys(sim).join(',');
    if (rk !== sk) return `${at}: keys [${sk}], recorded [${rk}]`;
    for (const k of Object.keys(rec)) {
      const d = rules.key?.(k, rec, sim, `${at}.${k}`) ?? jsonDiff(rec[k], sim[k], rules, `${at}.${k}`);
      if (d) return d;
    }
    return '';
  }
  return rules.leaf(rec, sim, at);
}
