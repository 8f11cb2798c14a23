// Replays the recorded MLflow 2.12.2 basic-auth server (test/fixtures/mlflow-2.12.2-basic-auth:
// `mlflow server --app-name basic-auth`, 173 exchanges: no login, wrong logins, a Bearer token, admin,
// the user alice with the default READ, the auth app's own endpoints, cleanup) against the simulator's
// MLflow in its basic-auth mode, in order, and compares what comes back: status, content type, the
// challenge (`WWW-Authenticate: Basic realm="mlflow"` on every 401, nowhere else), and the body's shape
// — text exactly (the 401 sentence, "Permission denied", Werkzeug's pages), JSON by its keys and value
// types with error codes exact. Ids the recording got (run ids) are mapped to the simulator's as they
// come back.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type Stack } from '../../src/sim/stack.js';
import { isObject, jsonDiff, readTranscript, replay, type Recorded } from '../helpers/mlflow-transcript.js';
import type { RawResponse } from '../unit/sim/http.js';

const FIXTURE = new URL('../fixtures/mlflow-2.12.2-basic-auth/transcript.jsonl', import.meta.url);

/** Exchanges not replayed (1-based, as the fixture's README numbers them), with the reason. */
const SKIP: Readonly<Record<number, string>> = {
  13: 'GET /signup: the sign-up page (HTML form) is not simulated; refused the same way without a login (401)',
  14: "GET /: MLflow's UI is not simulated (not built for the recording either)",
  15: 'GET /get-artifact: the UI download route is not simulated',
  16: 'POST /graphql is not simulated (not installed on the recording machine)',
  115: 'GET /get-artifact: the UI download route is not simulated',
  139: 'GET /signup as admin: the sign-up page (HTML form) is not simulated',
  158: 'users/create from the sign-up form (form-encoded, HTML answer) is not simulated',
  159: 'carol exists only through the sign-up form (158)',
  167: 'carol exists only through the sign-up form (158)',
};

const exchanges = readTranscript(FIXTURE);

/** Recorded run ids → the simulator's, learned from runs/create answers. */
const runs = new Map<string, string>();

function learn(rec: unknown, sim: unknown): void {
  if (Array.isArray(rec) && Array.isArray(sim)) return rec.forEach((r, i) => learn(r, sim[i]));
  if (!isObject(rec) || !isObject(sim)) return;
  for (const [k, v] of Object.entries(rec)) {
    const s = sim[k];
    if ((k === 'run_id' || k === 'run_uuid') && typeof v === 'string' && typeof s === 'string') runs.set(v, s);
    learn(v, s);
  }
}

function mapped(text: string): string {
  let out = text;
  for (const [rec, sim] of runs) out = out.split(rec).join(sim);
  return out;
}

/** Keys (in order) and value types, recursively; error codes exact. '' when the shapes agree. */
function shapeDiff(rec: unknown, sim: unknown): string {
  return jsonDiff(rec, sim, {
    key: (k, r, s, at) => (k === 'error_code' && r[k] !== s[k] ? `${at}: ${String(s[k])}, recorded ${String(r[k])}` : undefined),
    leaf: (r, s, at) => (typeof r === typeof s ? '' : `${at}: ${typeof s}, recorded ${typeof r}`),
  });
}

function compare(rec: Recorded, res: RawResponse): void {
  const label = `#${exchanges.indexOf(rec) + 1} ${rec.method} ${rec.path} (${rec.name})`;
  expect(res.status, label).toBe(rec.status);
  expect(res.header('content-type'), label).toBe(rec.response_headers['Content-Type']);
  expect(res.header('server'), label).toBe('gunicorn');
  expect(res.header('www-authenticate'), label).toBe(rec.response_headers['WWW-Authenticate']);
  if (rec.status === 401) {
    // The recorded header order: Server, Date, Connection, Content-Type, Content-Length, WWW-Authenticate.
    expect(
      res.headers.map(([n]) => n),
      label,
    ).toEqual(Object.keys(rec.response_headers).map((n) => n.toLowerCase()));
  }
  if (rec.response_headers['Content-Type'] === 'application/json') {
    const recorded = JSON.parse(rec.response_body) as unknown;
    const sim = res.json();
    learn(recorded, sim);
    expect(shapeDiff(recorded, sim), label).toBe('');
    // Flask's jsonify (the auth app's own answers) ends with a newline; MLflow's handlers do not.
    expect(res.text.endsWith('\n'), label).toBe(rec.response_body.endsWith('\n'));
  } else {
    expect(res.text, label).toBe(mapped(rec.response_body));
  }
}

describe(`MLflow 2.12.2 basic-auth: ${exchanges.length - Object.keys(SKIP).length}/${exchanges.length} recorded exchanges replayed against the simulator`, () => {
  let stack: Stack;
  beforeAll(async () => {
    // The recording's admin (basic_auth.ini's default admin / password); alice is created by exchange 38.
    stack = await startStack({ pendingPolls: 0, mlflowBasicAuth: { admin: { username: 'admin', password: 'password' } } });
  });
  afterAll(() => stack.close());

  exchanges.forEach((rec, i) => {
    const n = i + 1;
    const name = `#${n} ${rec.name}: ${rec.method} ${rec.path.slice(0, 70)} → ${rec.status}`;
    // Out of the simulator's scope (SKIP, each with its reason): not replayed, and not a test.
    if (!SKIP[n]) it(name, async () => compare(rec, await replay(stack.mlflowUrl, rec, mapped)));
  });

  it('leaves out only the UI, GraphQL and sign-up exchanges, and what depends on a sign-up', () => {
    const left = Object.keys(SKIP).map((n) => exchanges[Number(n) - 1]!);
    for (const rec of left) {
      const login = Buffer.from((rec.request_headers.Authorization ?? '').replace(/^Basic /, ''), 'base64').toString('utf8');
      const scope =
        /^\/(signup|get-artifact|graphql)?(\?|$)/.test(rec.path) ||
        /users\/create|carol/.test(`${rec.path} ${rec.request_body ?? ''} ${login}`);
      expect(scope, `#${exchanges.indexOf(rec) + 1} ${rec.method} ${rec.path}`).toBe(true);
    }
  });
});
