// Replays both recorded MLflow 2.12.2 transcripts (fixtures/mlflow-2.12.2) against the simulator's
// MLflow, direct, and compares what comes back: status, content type, the JSON shape and values
// (ids mapped from the recording to the simulator's, timestamps normalised), key order, and the
// body bytes themselves. HTML/text bodies must match exactly.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pyJsonDumps } from '../../src/sim/http/pyjson.js';
import { startStack, type Stack } from '../../src/sim/stack.js';
import { isObject, jsonDiff, readTranscript, replay, type Recorded } from '../helpers/mlflow-transcript.js';
import type { RawResponse } from '../unit/sim/http.js';

const FIXTURES = new URL('../fixtures/mlflow-2.12.2/', import.meta.url);

/** Exchanges deliberately not replayed, with the reason (`file#index`). Empty: all are. */
/** Values that differ run to run: compared by type only. */
const VOLATILE_KEYS = new Set(['creation_time', 'last_update_time', 'creation_timestamp', 'last_updated_timestamp']);

function load(file: string): Recorded[] {
  return readTranscript(new URL(file, FIXTURES));
}

/** Recorded ids → the simulator's, learned from responses as they come back. */
class IdMap {
  runs = new Map<string, string>();
  experiments = new Map<string, string>();
  names = new Map<string, string>();

  learn(rec: unknown, sim: unknown): void {
    if (Array.isArray(rec) && Array.isArray(sim)) {
      rec.forEach((r, i) => this.learn(r, sim[i]));
      return;
    }
    if (!isObject(rec) || !isObject(sim)) return;
    if (rec.key === 'mlflow.runName' && typeof rec.value === 'string' && typeof sim.value === 'string')
      this.names.set(rec.value, sim.value);
    for (const [k, v] of Object.entries(rec)) {
      const s = sim[k];
      if (typeof v === 'string' && typeof s === 'string' && v !== s) {
        if (k === 'experiment_id') this.experiments.set(v, s);
        if (k === 'run_id' || k === 'run_uuid') this.runs.set(v, s);
        if (k === 'run_name') this.names.set(v, s);
      }
      this.learn(v, s);
    }
  }

  /** Rewrites recorded text (a path, a body) into the simulator's ids. */
  apply(text: string): string {
    let out = text;
    for (const [rec, sim] of this.runs) {
      out = out.replace(
        new RegExp(`(\\d+)(/|%2F)(${rec})`, 'g'),
        (_, exp: string, sep: string) => `${this.experiments.get(exp) ?? exp}${sep}${sim}`,
      );
      out = out.split(rec).join(sim);
    }
    for (const [rec, sim] of this.experiments) {
      out = out.replace(new RegExp(`(experiment_id=)${rec}\\b`, 'g'), `$1${sim}`);
      out = out.replace(new RegExp(`("experiment_id": ")${rec}"`, 'g'), `$1${sim}"`);
      out = out.replace(new RegExp(`(mlflow-artifacts:/)${rec}\\b`, 'g'), `$1${sim}`);
    }
    for (const [rec, sim] of this.names) out = out.split(rec).join(sim);
    return out;
  }
}

const ts = (s: string): string => s.replace(/\b\d{13}\b/g, '<ts>');

/** Structure, key order and values; volatile keys by type. Returns the first difference or ''. */
function diff(rec: unknown, sim: unknown): string {
  return jsonDiff(rec, sim, {
    key: (k, r, s, at) => {
      if (VOLATILE_KEYS.has(k)) return typeof r[k] === typeof s[k] ? '' : `${at}: ${typeof s[k]}, recorded ${typeof r[k]}`;
      if (k === 'message' && typeof r[k] === 'string')
        return ts(r[k]) === ts(String(s[k])) ? '' : `${at}: ${JSON.stringify(s[k])}, recorded ${JSON.stringify(r[k])}`;
      return undefined;
    },
    leaf: (r, s, at) => (r === s ? '' : `${at}: ${JSON.stringify(s)}, recorded ${JSON.stringify(r)}`),
  });
}

/** The recorded structure with the simulator's values in the volatile places. */
function withVolatileFrom(rec: unknown, sim: unknown): unknown {
  if (Array.isArray(rec) && Array.isArray(sim)) return rec.map((r, i) => withVolatileFrom(r, sim[i]));
  if (isObject(rec) && isObject(sim)) {
    return Object.fromEntries(
      Object.entries(rec).map(([k, v]) => [k, VOLATILE_KEYS.has(k) ? sim[k] : k === 'message' ? sim[k] : withVolatileFrom(v, sim[k])]),
    );
  }
  return rec;
}

function check(rec: Recorded, res: RawResponse, ids: IdMap): void {
  const label = `${rec.method} ${rec.path} (${rec.name})`;
  expect(res.status, label).toBe(rec.status);
  expect(res.header('content-type'), label).toBe(rec.response_headers['Content-Type']);
  expect(res.header('server'), label).toBe('gunicorn');
  expect(res.header('connection'), label).toBe('close');
  expect(res.header('date'), label).toMatch(/^\w{3}, \d{2} \w{3} \d{4} \d{2}:\d{2}:\d{2} GMT$/);
  for (const h of ['Allow', 'Content-Disposition', 'X-Content-Type-Options', 'Transfer-Encoding', 'Cache-Control']) {
    expect(res.header(h), `${label}: ${h}`).toBe(rec.response_headers[h] === undefined ? undefined : ids.apply(rec.response_headers[h]));
  }
  for (const h of ['Last-Modified', 'ETag'])
    expect(res.header(h) !== undefined, `${label}: ${h}`).toBe(rec.response_headers[h] !== undefined);

  if (rec.response_headers['Content-Type'] === 'application/json') {
    const raw = JSON.parse(rec.response_body) as unknown;
    const sim = res.json();
    ids.learn(raw, sim);
    const recorded = JSON.parse(ids.apply(rec.response_body)) as unknown;
    expect(diff(recorded, sim), label).toBe('');
    // Byte for byte: the recorded body, with the simulator's ids/timestamps, serialised as the recording is.
    const pretty = rec.response_body.includes('\n');
    expect(res.text, label).toBe(pyJsonDumps(withVolatileFrom(recorded, sim), pretty ? { indent: 2 } : {}));
  } else {
    expect(res.text, label).toBe(ids.apply(rec.response_body));
  }
}

function suite(file: string): void {
  const exchanges = load(file);
  describe(`${file}: all ${exchanges.length} exchanges replayed against the simulator`, () => {
    let stack: Stack;
    const ids = new IdMap();
    beforeAll(async () => {
      stack = await startStack({ pendingPolls: 0 });
      console.log(`contract: ${file} replays all ${exchanges.length} recorded exchanges`);
    });
    afterAll(() => stack.close());

    exchanges.forEach((rec, i) => {
      const name = `#${i} ${rec.name}: ${rec.method} ${rec.path.slice(0, 80)} → ${rec.status}`;
      it(name, async () => check(rec, await replay(stack.mlflowUrl, rec, (text) => ids.apply(text)), ids));
    });
  });
}

suite('transcript.jsonl');
suite('client-transcript.jsonl');

describe('wire format', () => {
  it('re-serialises every recorded JSON body byte for byte (pretty successes, compact errors)', () => {
    for (const file of ['transcript.jsonl', 'client-transcript.jsonl']) {
      for (const rec of load(file)) {
        if (rec.response_headers['Content-Type'] !== 'application/json') continue;
        const pretty = rec.response_body.includes('\n');
        expect(pyJsonDumps(JSON.parse(rec.response_body), pretty ? { indent: 2 } : {}), rec.name).toBe(rec.response_body);
      }
    }
  });
});
