import { describe, expect, it } from 'vitest';
import { buildReport, verdictOf, worstVerdict } from '../../../src/report/build.js';
import { ReportSchema } from '../../../src/report/schema.js';
import type { StepStatus } from '../../../src/steps/types.js';
import { MASKED_KEY, RAW_KEY, fixtureReport, fixtureResults, incidentReport } from './fixture.js';

const META = { version: '0.1.0', startedAt: '2026-03-14T09:26:53.000Z', durationMs: 700, exitCode: 1, interrupted: false };
const steps = (...statuses: StepStatus[]) => statuses.map((status) => ({ status }));

describe('verdictOf', () => {
  it.each<[StepStatus[], boolean, string]>([
    [['pass', 'pass', 'skipped'], false, 'pass'],
    [['pass', 'warn', 'skipped'], false, 'warn'],
    [['pass', 'error', 'warn', 'blocked'], false, 'error'],
    [['error', 'fail', 'warn', 'blocked'], false, 'fail'],
    [['fail'], true, 'interrupted'],
    [[], false, 'pass'],
  ])('%j (interrupted %s) → %s', (statuses, interrupted, verdict) => {
    expect(verdictOf(steps(...statuses), interrupted)).toBe(verdict);
  });

  it('takes the worst verdict of several targets as the overall one', () => {
    expect(worstVerdict(['pass', 'warn'])).toBe('warn');
    expect(worstVerdict(['error', 'warn', 'pass'])).toBe('error');
    expect(worstVerdict(['error', 'fail'])).toBe('fail');
    expect(worstVerdict(['fail', 'interrupted'])).toBe('interrupted');
  });
});

describe('buildReport', () => {
  it('gives each target its verdict and the run the worst one', () => {
    const report = fixtureReport();
    expect(report.targets.map((t) => [t.name, t.verdict])).toEqual([
      ['staging', 'pass'],
      ['prod', 'fail'],
    ]);
    expect(report.verdict).toBe('fail');
    expect(report.exitCode).toBe(1);
    expect(report.insecure).toBe(true);
    expect(report.checkId).toBeUndefined(); // the targets have different check ids
  });

  it('lists findings root cause first, each once, with its step carrying it too', () => {
    const prod = fixtureReport().targets[1]!;
    expect(prod.findings.map((f) => [f.code, f.rootCause])).toEqual([
      ['ROUTE_ARTIFACTS_MISROUTED', true],
      ['HEALTH_DEGRADED', false],
    ]);
    const artifact = prod.steps.find((s) => s.id === 'artifact')!;
    expect(artifact.findings.map((f) => f.code)).toEqual(['ROUTE_ARTIFACTS_MISROUTED']);
    expect(artifact.exchanges).toEqual(['x8', 'x9', 'x10', 'x11']);
    const register = prod.steps.find((s) => s.id === 'register')!;
    expect(register.blockedBy).toBe('artifact');
  });

  it('rounds durations to whole milliseconds', () => {
    const report = fixtureReport();
    expect(report.durationMs).toBe(713);
    expect(report.targets[1]!.durationMs).toBe(702);
  });

  it('takes the root cause from the diagnosis and never guesses one, keeping its order', () => {
    const results = fixtureResults();
    const prod = results[1]!;
    prod.findings = prod.findings.map(({ rootCause: _r, ...f }) => f);
    const report = buildReport(results, META);
    expect(report.targets[1]!.findings.map((f) => [f.code, f.rootCause])).toEqual([
      ['ROUTE_ARTIFACTS_MISROUTED', false],
      ['HEALTH_DEGRADED', false],
    ]);
  });

  it('masks a key that reached it unmasked, so it cannot leak into any format', () => {
    const results = fixtureResults();
    results[0]!.keyMasked = RAW_KEY;
    const report = buildReport(results, META);
    expect(report.targets[0]!.key).toBe(`hk_test_…${RAW_KEY.slice(-4)}`);
    expect(JSON.stringify(report)).not.toContain(RAW_KEY);
    expect(report.targets[1]!.key).toBe(MASKED_KEY);
  });

  it('sets the shared check id and an interrupted verdict', () => {
    const [one] = fixtureResults();
    const report = buildReport([one!], { ...META, interrupted: true, exitCode: 130 });
    expect(report.checkId).toBe('c0ffee01');
    expect(report.verdict).toBe('interrupted');
    expect(ReportSchema.safeParse(report).success).toBe(true);
  });

  it('copies only the fields the report defines from an exchange', () => {
    const results = fixtureResults();
    Object.assign(results[0]!.exchanges[0]!, { rawBody: 'secret stuff' });
    const report = buildReport(results, META);
    expect(JSON.stringify(report)).not.toContain('secret stuff');
  });

  it('refuses an exchange from an unknown step', () => {
    const results = fixtureResults();
    results[0]!.exchanges[0]!.step = 'deploy';
    expect(() => buildReport(results, META)).toThrow(/unknown step 'deploy'/);
  });

  it('says in the step detail that it passed only after retries, and what the retried tries got', () => {
    const health = incidentReport().targets[0]!.steps.find((s) => s.id === 'health')!;
    expect(health.detail).toMatch(/^after 1 retry \(reset\): /);
    const auth = incidentReport().targets[0]!.steps.find((s) => s.id === 'auth')!;
    expect(auth.detail).not.toContain('retr');
  });
});
