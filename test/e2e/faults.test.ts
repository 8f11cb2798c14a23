// Every fault of the embedded stack, diagnosed end to end as a user sees it: the spawned CLI's exit
// code, the root-cause step and finding, what is blocked by what, and nothing else reported.
import { afterAll, describe, expect, it } from 'vitest';
import { FAULTS } from '../../src/sim/faults.js';
import { STEP_IDS } from '../../src/steps/types.js';
import { checkWithFaults, evidenceOf, findingIn, matrixLine, type FaultRun } from '../helpers/faults-run.js';
import { EXTRA_CASES, FAULT_CASES, type FaultCase } from '../helpers/faults-table.js';
import { tempDir } from '../helpers/tmp.js';

const tmp = tempDir();
afterAll(() => tmp.remove());

describe('the fault table', () => {
  it('has exactly one case for every fault the stack knows, so a new fault without a test fails here', () => {
    const cased = FAULT_CASES.map((c) => c.fault);
    expect(new Set(cased).size, 'a fault is listed twice').toBe(cased.length);
    expect([...cased].sort()).toEqual(Object.keys(FAULTS).sort());
  });
});

describe.concurrent('each fault is diagnosed with the right root step and code', () => {
  for (const c of [...FAULT_CASES, ...EXTRA_CASES]) {
    const what = c.root ? `${c.root.step} → ${c.root.code}` : c.also?.length ? `warns ${c.also.join(', ')}` : 'passes';
    it(`${c.fault}: exit ${c.exit}, ${what}${c.setup ? ` (${c.setup})` : ''}`, async ({ expect }) => {
      const r = await checkWithFaults([c.fault], {
        json: tmp.file(`${c.fault}-${c.args?.join('') ?? ''}.json`),
        ...(c.stack ? { stack: c.stack } : {}),
        ...(c.args ? { args: c.args } : {}),
      });
      const context = `${matrixLine(r.target)}\n${r.target.findings.map((f) => `${f.code}@${f.step}:${f.severity}${f.rootCause ? ' (root)' : ''}`).join('\n')}\n${r.run.stderr}`;

      expect(r.run.code, context).toBe(c.exit);
      expect(r.report.exitCode).toBe(c.exit);
      expect(outcomes(r), context).toEqual(expectedOutcomes(c));

      const rootSteps = r.target.steps.filter((s) => s.rootCause).map((s) => s.id);
      const rootFindings = r.target.findings.filter((f) => f.rootCause);
      if (c.root) {
        expect(rootSteps, context).toEqual([c.root.step]);
        expect(
          rootFindings.map((f) => `${f.code}@${f.step}`),
          context,
        ).toEqual([`${c.root.code}@${c.root.step}`]);
        expect(r.target.findings[0]!.rootCause, 'the root cause is listed first').toBe(true);
        expect(rootFindings[0]!.severity).toBe('error');
        expect(rootFindings[0]!.evidence.length, 'the root cause cites its evidence').toBeGreaterThan(0);
        evidenceOf(r.target, rootFindings[0]!); // every cited id resolves to an exchange of the report
        expect(r.run.stdout).toContain(`Root cause: ${c.root.code}`);
      } else {
        expect(rootSteps, context).toEqual([]);
        expect(rootFindings, context).toEqual([]);
      }
      const others = r.target.findings.filter((f) => !f.rootCause).map((f) => `${f.code}@${f.step}:${f.severity}`);
      expect(others.sort(), context).toEqual([...(c.also ?? [])].sort());
      if (c.cause) expect(r.target.findings[0]?.cause).toMatch(c.cause);
      if (c.retried) {
        const again = r.target.exchanges.filter((x) => x.attempt > 1);
        expect(again.length, 'retried requests').toBeGreaterThan(0);
        expect(r.target.exchanges.some((x) => x.response?.status === 503 && x.retried === true)).toBe(true);
      }

      // The API key never reaches what a user or a CI log sees (echo-key puts it in a header and a body).
      expect(r.run.all).not.toContain(r.apiKey);
      expect(r.reportText).not.toContain(r.apiKey);
    });
  }
});

describe.concurrent('the incident: artifacts misrouted behind the static prefix', () => {
  let incident: Promise<FaultRun> | undefined;
  const run = () => (incident ??= checkWithFaults(['artifacts-misrouted'], { json: tmp.file('incident.json') }));

  it('cites both the passing experiments/search and the failing artifact PUT through the proxy', async ({ expect }) => {
    const { target } = await run();
    const cited = evidenceOf(target, findingIn(target, 'ROUTE_ARTIFACTS_MISROUTED'));
    const search = cited.find((x) => x.step === 'experiments' && x.label === 'experiments/search');
    expect(search?.response?.status).toBe(200);
    const put = cited.find((x) => x.step === 'artifact' && x.probe === undefined && x.request.method === 'PUT');
    expect(put?.request.url).toMatch(/\/api\/mlflow\/api\/2\.0\/mlflow-artifacts\/artifacts\//);
    expect(put?.response?.status).toBe(404);
  });

  it('cites the ajax-api probe that succeeded', async ({ expect }) => {
    const { target } = await run();
    const cited = evidenceOf(target, findingIn(target, 'ROUTE_ARTIFACTS_MISROUTED'));
    const ajax = cited.find((x) => x.probe === 'ajax-artifact' && x.request.method === 'PUT');
    expect(ajax?.request.url).toMatch(/\/api\/mlflow\/ajax-api\/2\.0\/mlflow-artifacts\/artifacts\//);
    expect(ajax?.response?.status).toBeGreaterThanOrEqual(200);
    expect(ajax?.response?.status).toBeLessThan(300);
  });

  it("names the proxy's artifact routing as the cause", async ({ expect }) => {
    const { target } = await run();
    expect(findingIn(target, 'ROUTE_ARTIFACTS_MISROUTED').cause).toMatch(
      /proxy routes `mlflow-artifacts` requests to the wrong upstream or prefix while tracking requests reach MLflow/,
    );
  });

  it('links the degraded health to the root cause', async ({ expect }) => {
    const { target } = await run();
    expect(findingIn(target, 'HEALTH_DEGRADED').related).toContain('ROUTE_ARTIFACTS_MISROUTED');
    expect(findingIn(target, 'ROUTE_ARTIFACTS_MISROUTED').related).toContain('HEALTH_DEGRADED');
  });

  it('prints "Root cause: ROUTE_ARTIFACTS_MISROUTED" before any other finding', async ({ expect }) => {
    const { run: cli } = await run();
    const root = cli.stdout.indexOf('Root cause: ROUTE_ARTIFACTS_MISROUTED');
    expect(root, cli.stdout).toBeGreaterThan(-1);
    const others = [...cli.stdout.matchAll(/^(Root cause|Finding|Warning): [A-Z_]+/gm)].map((m) => m.index);
    expect(others.length).toBe(2);
    expect(Math.min(...others)).toBe(root);
  });
});

describe.concurrent('the differential probe direct to MLflow (--mlflow-direct-url)', () => {
  it('says ROUTE_ARTIFACTS_MISROUTED when the same upload works direct (external upstream)', async ({ expect }) => {
    const r = await checkWithFaults(['artifacts-misrouted-external'], { json: tmp.file('external-direct.json'), direct: true });
    expect(r.run.code, r.run.all).toBe(1);
    const root = r.target.findings[0]!;
    expect(root).toMatchObject({ code: 'ROUTE_ARTIFACTS_MISROUTED', rootCause: true, step: 'artifact' });
    const direct = evidenceOf(r.target, root).find((x) => x.probe === 'direct-artifact' && x.request.method === 'PUT');
    expect(direct?.request.url.startsWith(`${r.mlflowUrl}/api/2.0/mlflow-artifacts/artifacts/`)).toBe(true);
    expect(direct?.response?.status).toBe(200);
    expect(root.cause).toMatch(/direct to MLflow .* succeeded/);
  });

  it('says MLFLOW_ARTIFACTS_NOT_SERVED when the same upload fails direct too', async ({ expect }) => {
    const r = await checkWithFaults(['artifacts-not-served'], { json: tmp.file('not-served-direct.json'), direct: true });
    expect(r.run.code, r.run.all).toBe(1);
    const root = r.target.findings[0]!;
    expect(root).toMatchObject({ code: 'MLFLOW_ARTIFACTS_NOT_SERVED', rootCause: true, step: 'artifact' });
    const direct = evidenceOf(r.target, root).find((x) => x.probe === 'direct-artifact' && x.request.method === 'PUT');
    expect(direct?.request.url.startsWith(`${r.mlflowUrl}/api/2.0/mlflow-artifacts/artifacts/`)).toBe(true);
    expect(direct?.response?.status).toBe(404);
    expect(r.target.findings.map((f) => f.code)).not.toContain('ROUTE_ARTIFACTS_MISROUTED');
  });
});

describe.concurrent('no false alarms', () => {
  for (const direct of [false, true]) {
    it(`a healthy stack yields no finding at all${direct ? ', with --mlflow-direct-url too' : ''}`, async ({ expect }) => {
      const r = await checkWithFaults([], { json: tmp.file(`healthy-${direct}.json`), direct });
      expect(r.run.code, r.run.all).toBe(0);
      expect(r.report.verdict).toBe('pass');
      expect(r.target.findings).toEqual([]);
      expect(r.target.steps.flatMap((s) => s.findings)).toEqual([]);
      expect(r.target.steps.every((s) => s.status === 'pass')).toBe(true);
      expect(r.run.stdout).not.toMatch(/Root cause|Warning:|Finding:/);
      expect(
        r.target.exchanges.filter((x) => x.probe !== undefined),
        'no follow-up probe on a healthy run',
      ).toEqual([]);
    });
  }
});

/** Every step's outcome as the table writes it: 'pass', 'fail', 'blocked by auth', … */
function outcomes(r: FaultRun): Record<string, string> {
  return Object.fromEntries(r.target.steps.map((s) => [s.id, s.status === 'blocked' ? `blocked by ${s.blockedBy ?? '?'}` : s.status]));
}

function expectedOutcomes(c: FaultCase): Record<string, string> {
  return Object.fromEntries(STEP_IDS.map((id) => [id, c.steps[id] ?? 'pass']));
}
