// Generality, not recall: a hop nobody has heard of — a generated front (made-up Server or
// none, optional Via, its own HTML/text/JSON pages that are not MLflow's) — in front of the embedded
// MLflow and API, for every situation of src/diagnosis/situations.ts. Whatever the front looks
// like, the root step and code are right, the answer is placed as a hop's ('hop': no profile names
// it), and no hop-written 4xx/5xx is ever "HTML where JSON was due". Look-alikes through the same
// fronts keep their codes: MLflow's own 500 and its own 404 page, and a healthy check is clean.
//
// A seed is chosen per run and printed; FRONTS_SEED=<n> replays it, FRONTS_RUNS=<n> runs more cases.
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type Stack } from '../../src/sim/stack.js';
import {
  frontLookArb,
  pageOf,
  startGeneratedFront,
  type FrontAction,
  type FrontLook,
  type FrontRequest,
  type GeneratedFront,
} from '../helpers/generated-front.js';
import { runInProcess } from '../helpers/in-process.js';
import { tempDir } from '../helpers/tmp.js';

const SEED = process.env.FRONTS_SEED ? Number(process.env.FRONTS_SEED) : Math.floor(Math.random() * 2 ** 31);
const RUNS = process.env.FRONTS_RUNS ? Number(process.env.FRONTS_RUNS) : 4;
console.log(
  `generated fronts: seed ${SEED}, ${RUNS} fronts per situation (replay: FRONTS_SEED=${SEED} npx vitest run test/e2e/generated-fronts.test.ts)`,
);

const ARTIFACTS = '/api/mlflow/api/2.0/mlflow-artifacts/';
const MOUNT = '/api/mlflow/';

interface Situation {
  name: string;
  /** What the front does; `status` is generated from `statuses`. */
  decide(look: FrontLook, status: number): (r: FrontRequest) => FrontAction;
  statuses: readonly number[];
  expect: { step: string; code: string; responder?: string };
  flags?: string[];
  /** Which stack stands behind the front. */
  stack?: 'crashing';
  runs?: number;
}

const answer = (look: FrontLook, status: number, extra: Partial<Extract<FrontAction, { kind: 'answer' }>> = {}): FrontAction => ({
  kind: 'answer',
  status,
  body: pageOf(look, status),
  ...extra,
});
const forward: FrontAction = { kind: 'forward' };

const SITUATIONS: Situation[] = [
  {
    name: 'cannot reach its upstream: its own 502/503/52x on the first call under the mount',
    statuses: [502, 503, 520, 521, 522, 523, 525, 526, 530],
    decide: (look, status) => (r) => (r.path.startsWith(MOUNT) ? answer(look, status) : forward),
    expect: { step: 'experiments', code: 'GATEWAY_UPSTREAM_UNREACHABLE' },
  },
  {
    name: 'cannot reach its upstream: its own 503 with Retry-After on the first call (a cache whose backend is down)',
    statuses: [503],
    decide: (look, status) => (r) => (r.path.startsWith(MOUNT) ? answer(look, status, { headers: { 'retry-after': '5' } }) : forward),
    expect: { step: 'experiments', code: 'GATEWAY_UPSTREAM_UNREACHABLE' },
  },
  {
    name: 'gave up waiting: its own 504/524 after waiting a second',
    statuses: [504, 524],
    decide: (look, status) => (r) => (r.path.startsWith(MOUNT) ? answer(look, status, { delayMs: 1000 }) : forward),
    expect: { step: 'experiments', code: 'GATEWAY_TIMEOUT' },
    runs: 2,
  },
  {
    name: 'cannot reach its upstream: its own 504 at once (it waited for nothing)',
    statuses: [504],
    decide: (look, status) => (r) => (r.path.startsWith(MOUNT) ? answer(look, status) : forward),
    expect: { step: 'experiments', code: 'GATEWAY_UPSTREAM_UNREACHABLE' },
  },
  {
    name: 'gave up waiting: a 5xx whose text says it timed out',
    statuses: [500, 502, 503],
    decide: (look, status) => (r) =>
      r.path.startsWith(MOUNT)
        ? answer(look, status, { body: pageOf(look.page === 'empty' ? { ...look, page: 'text' } : look, status, 'upstream timed out') })
        : forward,
    expect: { step: 'experiments', code: 'GATEWAY_TIMEOUT' },
  },
  {
    name: 'gave up waiting: a 502/503 at a round 1 s while earlier calls were fast',
    statuses: [502, 503],
    decide: (look, status) => (r) => (r.path.startsWith(MOUNT) ? answer(look, status, { delayMs: 1000 }) : forward),
    expect: { step: 'experiments', code: 'GATEWAY_TIMEOUT' },
    runs: 2,
  },
  {
    name: 'refuses the method: its own 403/405/501 on PUT while GET and POST pass',
    statuses: [403, 405, 501],
    decide: (look, status) => (r) => (r.method === 'PUT' && r.path.startsWith(ARTIFACTS) ? answer(look, status) : forward),
    expect: { step: 'artifact', code: 'ROUTE_METHOD_REFUSED' },
  },
  {
    name: 'refuses the path: its own 403 on everything under the mount',
    statuses: [403],
    decide: (look, status) => (r) => (r.path.startsWith(MOUNT) ? answer(look, status) : forward),
    expect: { step: 'experiments', code: 'GATEWAY_FORBIDDEN' },
  },
  {
    name: 'a login in front: a Basic/Digest challenge of its own on every path',
    statuses: [401],
    decide: (look, status) => () =>
      answer(look, status, {
        headers: { 'www-authenticate': `${look.words.length % 2 ? 'Basic' : 'Digest'} realm="${look.words.split(' ')[0]}"` },
      }),
    expect: { step: 'health', code: 'GATEWAY_LOGIN_REQUIRED' },
  },
  {
    name: 'no route for the mount: its own 404 under it',
    statuses: [404],
    decide: (look, status) => (r) => (r.path.startsWith(MOUNT) ? answer(look, status) : forward),
    expect: { step: 'experiments', code: 'ROUTE_PROXY_NOT_MOUNTED' },
  },
  {
    name: 'no route for the artifact paths (its own 404) while ajax-api uploads through it pass',
    statuses: [404],
    decide: (look, status) => (r) => (r.path.startsWith(ARTIFACTS) ? answer(look, status) : forward),
    expect: { step: 'artifact', code: 'ROUTE_ARTIFACTS_MISROUTED' },
  },
  {
    name: 'no route for the artifact paths, answered in MLflow\'s own shape {"error_code":"NOT_FOUND"}: the differential decides',
    statuses: [404],
    decide: (look, status) => (r) =>
      r.path.startsWith(ARTIFACTS)
        ? answer(look, status, {
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ error_code: 'NOT_FOUND', message: look.words }),
          })
        : forward,
    expect: { step: 'artifact', code: 'ROUTE_ARTIFACTS_MISROUTED' },
  },
  {
    name: 'too large: its own 413 on an upload over its limit',
    statuses: [413],
    decide: (look, status) => (r) => (r.method === 'PUT' && r.contentLength > 4096 ? answer(look, status) : forward),
    expect: { step: 'artifact', code: 'ARTIFACT_TOO_LARGE' },
    flags: ['--artifact-size', '64KiB'],
  },
  {
    name: 'too large: a reset during an upload over its limit, while a few bytes pass',
    statuses: [0],
    decide: () => (r) => (r.method === 'PUT' && r.contentLength > 4096 ? { kind: 'reset', afterBytes: 4096 } : forward),
    expect: { step: 'artifact', code: 'ARTIFACT_TOO_LARGE', responder: 'none' },
    flags: ['--artifact-size', '64KiB'],
  },
  {
    name: 'too large: its own 5xx on an upload over its limit, while a few bytes pass',
    statuses: [500, 502, 503],
    decide: (look, status) => (r) => (r.method === 'PUT' && r.contentLength > 4096 ? answer(look, status) : forward),
    expect: { step: 'artifact', code: 'ARTIFACT_TOO_LARGE' },
    flags: ['--artifact-size', '64KiB'],
  },
  {
    name: 'rate limited: its own 429 after calls through it passed',
    statuses: [429],
    decide: (look, status) => (r) => (r.path.startsWith(MOUNT) && r.method === 'POST' ? answer(look, status) : forward),
    expect: { step: 'run', code: 'GATEWAY_RATE_LIMITED' },
  },
  {
    name: 'rate limited: its own 503 with Retry-After',
    statuses: [503],
    decide: (look, status) => (r) =>
      r.path.startsWith(MOUNT) && r.method === 'POST' ? answer(look, status, { headers: { 'retry-after': '120' } }) : forward,
    expect: { step: 'run', code: 'GATEWAY_RATE_LIMITED' },
  },
  {
    name: 'refuses the request itself otherwise: its own 400/411/414/421/431 under the mount',
    statuses: [400, 411, 414, 421, 431],
    decide: (look, status) => (r) => (r.path.startsWith(MOUNT) ? answer(look, status) : forward),
    expect: { step: 'experiments', code: 'GATEWAY_REFUSED' },
  },
  {
    name: 'no route for /health (outside the mount): its own 404',
    statuses: [404],
    decide: (look, status) => (r) => (r.path === '/health' ? answer(look, status) : forward),
    expect: { step: 'health', code: 'GATEWAY_REFUSED' },
  },
  {
    name: "the service behind crashed: MLflow's own Werkzeug 500 page, through the front",
    statuses: [0],
    decide: () => () => forward,
    stack: 'crashing',
    expect: { step: 'run', code: 'MLFLOW_INTERNAL_ERROR', responder: 'mlflow' },
  },
  {
    name: 'look-alike: the front keeps the mount prefix, MLflow answers its own 404 page',
    statuses: [0],
    decide: () => (r) => (r.path.startsWith(MOUNT) ? { kind: 'forward-prefix' } : forward),
    expect: { step: 'experiments', code: 'ROUTE_PREFIX_NOT_STRIPPED', responder: 'mlflow' },
  },
];

const tmp = tempDir();
let stack: Stack;
let crashing: Stack;
let front: GeneratedFront;
let crashFront: GeneratedFront;

beforeAll(async () => {
  [stack, crashing] = await Promise.all([startStack({ pendingPolls: 0 }), startStack({ pendingPolls: 0, faults: ['mlflow-crash'] })]);
  stack.seed.experiment('hokus-check');
  crashing.seed.experiment('hokus-check');
  [front, crashFront] = await Promise.all([
    startGeneratedFront({ api: stack.registryUrl, mlflow: stack.mlflowUrl }),
    startGeneratedFront({ api: crashing.registryUrl, mlflow: crashing.mlflowUrl }),
  ]);
});

afterAll(async () => {
  await Promise.all([front?.close(), crashFront?.close()]);
  await Promise.all([stack?.close(), crashing?.close()]);
  tmp.remove();
});

interface ReportShape {
  exitCode: number;
  targets: Array<{
    findings: Array<{ code: string; step: string; rootCause: boolean; evidence: string[]; cause: string }>;
    exchanges: Array<{ id: string; responder?: string; response?: { status: number } }>;
  }>;
}

let n = 0;
async function check(s: Stack, via: GeneratedFront, flags: string[] = []): Promise<{ code: number; report: ReportShape; out: string }> {
  const json = tmp.file(`front-${n++}.json`);
  const run = await runInProcess(
    ['--registry-url', via.url, '--auth-url', s.authUrl, '--retries', '0', '--timeout', '8s', '--json', json, ...flags],
    { env: { HOKUSAI_API_KEY: s.apiKey } },
  );
  return { code: run.code ?? -1, report: JSON.parse(readFileSync(json, 'utf8')) as ReportShape, out: run.stdout };
}

describe('a generated front in front of the embedded MLflow', () => {
  for (const s of SITUATIONS) {
    it(`${s.name}: ${s.expect.step} → ${s.expect.code}`, async () => {
      const cases = fc.tuple(frontLookArb, fc.constantFrom(...s.statuses));
      await fc.assert(
        fc.asyncProperty(cases, async ([look, status]) => {
          const [behind, via] = s.stack === 'crashing' ? [crashing, crashFront] : [stack, front];
          via.set(look, s.decide(look, status));
          const { code, report, out } = await check(behind, via, s.flags);
          const t = report.targets[0]!;
          const root = t.findings.find((f) => f.rootCause);
          const context = `front ${JSON.stringify(look)} status ${status}\n${out}`;
          expect(code, context).toBe(1);
          expect(root && `${root.code}@${root.step}`, context).toBe(`${s.expect.code}@${s.expect.step}`);
          const cited = t.exchanges.find((x) => x.id === root!.evidence[0]);
          expect(cited?.response === undefined ? 'none' : cited.responder, context).toBe(s.expect.responder ?? 'hop');
          // A page a hop wrote itself is never "HTML where JSON was due".
          const hopPages = new Set(t.exchanges.filter((x) => x.responder === 'hop' && (x.response?.status ?? 0) >= 400).map((x) => x.id));
          expect(
            t.findings.filter((f) => f.code === 'RESPONSE_NOT_JSON' && f.evidence.some((id) => hopPages.has(id))),
            context,
          ).toEqual([]);
        }),
        { numRuns: s.runs ?? RUNS, seed: SEED, endOnFailure: true },
      );
    });
  }

  it('a healthy check through any generated front has zero findings', async () => {
    await fc.assert(
      fc.asyncProperty(frontLookArb, async (look) => {
        front.set(look, () => forward);
        const { code, report, out } = await check(stack, front);
        expect(code, `front ${JSON.stringify(look)}\n${out}`).toBe(0);
        expect(report.targets[0]!.findings, out).toEqual([]);
      }),
      { numRuns: RUNS, seed: SEED, endOnFailure: true },
    );
  });
});
