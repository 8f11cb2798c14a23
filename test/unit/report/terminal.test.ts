import { describe, expect, it } from 'vitest';
import { renderTerminal } from '../../../src/report/terminal.js';
import { buildReport } from '../../../src/report/build.js';
import { RAW_KEY, fixtureReport, fixtureResults, incidentReport } from './fixture.js';

const ANSI = /\u001b\[[0-9;]*m/;
const columns = (line: string) => [...line.replace(/\u001b\[[0-9;]*m/g, '')].length;

describe('terminal report', () => {
  it('prints no ANSI codes with colour off, and colours with it on', () => {
    expect(renderTerminal(fixtureReport(), { color: false })).not.toMatch(ANSI);
    expect(renderTerminal(fixtureReport(), { color: true })).toMatch(ANSI);
  });

  it('opens with the tool, the target, the check id and the masked key', () => {
    const [first] = renderTerminal(incidentReport(), { color: false }).split('\n');
    expect(first).toContain('hokus-check 0.1.0');
    expect(first).toContain('prod https://registry.example.test');
    expect(first).toContain('check deadbeef');
    expect(first).toContain(`key hk_test_…${RAW_KEY.slice(-4)}`);
  });

  it('marks the root-cause row of the matrix and says what blocked the next step', () => {
    const lines = renderTerminal(incidentReport(), { color: false }).split('\n');
    const artifact = lines.find((l) => l.startsWith('  artifact'))!;
    expect(artifact).toMatch(/✖ fail\s+404ms\s+404 on PUT artifact\s+← root cause$/);
    expect(lines.find((l) => l.startsWith('  register'))).toContain('● blocked (by artifact)');
    expect(lines.find((l) => l.startsWith('  health'))).toMatch(/▲ warn\s+148ms/);
    expect(lines.find((l) => l.startsWith('  auth'))).toMatch(/✔ pass\s+52ms/);
    expect(lines.find((l) => l.startsWith('  step'))).toMatch(/step\s+prod\s+detail/);
  });

  it('puts one column per target side by side', () => {
    const lines = renderTerminal(fixtureReport(), { color: false }).split('\n');
    expect(lines.find((l) => l.startsWith('  step'))).toMatch(/step\s+staging\s+prod$/);
    expect(lines.find((l) => l.startsWith('  artifact'))).toMatch(/✔ pass\s+104ms\s+✖ fail\s+404ms\s+← root cause \(prod\)/);
  });

  it('explains the root cause first: code, cause, evidence with the responder chain, fix', () => {
    const out = renderTerminal(incidentReport(), { color: false });
    const root = out.indexOf('Root cause: ROUTE_ARTIFACTS_MISROUTED — Artifact requests are routed to the wrong upstream');
    // HEALTH_DEGRADED is the same problem (linked both ways): one line under the root cause.
    const warning = out.indexOf('Also seen: HEALTH_DEGRADED in health');
    expect(root).toBeGreaterThan(0);
    expect(warning).toBeGreaterThan(root);
    expect(out).not.toContain('Warning: HEALTH_DEGRADED');
    expect(out).toContain('root cause');
    expect(out).toMatch(/x8 +PUT https:\/\/registry\.example\.test\/api\/mlflow\/api\/2\.0\/mlflow-artifacts\/…\/probe-deadbeef\.bin/);
    expect(out).toContain('→ 404 text/html (hokusai-api → mlflow)');
    expect(out).toContain('"<!doctype html> <html lang=en> <title>404 Not Found</title>');
    expect(out).toMatch(/Fix:\n {4}1\. Rewrite api\/2\.0\/mlflow-artifacts\//);
    expect(out).toContain('Run `hokus-check explain ROUTE_ARTIFACTS_MISROUTED` for details.');
  });

  it('shows a transport error by its kind and message', () => {
    const results = fixtureResults();
    const prod = results[1]!;
    prod.findings.find((f) => f.code === 'ROUTE_ARTIFACTS_MISROUTED')!.evidence = ['x2'];
    const out = renderTerminal(buildReport([prod], { version: '0.1.0', startedAt: prod.startedAt, durationMs: 1, exitCode: 1, interrupted: false }), {
      color: false,
    });
    expect(out).toContain('→ reset (ECONNRESET) read ECONNRESET socket hang up');
  });

  it('shows skipped and error steps against a plain MLflow server', () => {
    const [staging] = fixtureResults();
    const r = staging!;
    r.target = { ...r.target, kind: 'mlflow', registryUrl: undefined, authUrl: undefined, mlflowUrl: 'http://127.0.0.1:5055' };
    r.steps[0] = { ...r.steps[0]!, status: 'skipped', detail: 'plain MLflow: no auth service' };
    r.steps[2] = { ...r.steps[2]!, status: 'error', detail: 'connect ECONNREFUSED 127.0.0.1:5055' };
    const report = buildReport([r], { version: '0.1.0', startedAt: r.startedAt, durationMs: 1, exitCode: 3, interrupted: false });
    const out = renderTerminal(report, { color: false });
    expect(out.split('\n')[0]).toContain('staging http://127.0.0.1:5055');
    expect(out).toMatch(/ {2}auth +○ skipped +plain MLflow: no auth service/);
    expect(out).toMatch(/ {2}experiments +! error +16ms +connect ECONNREFUSED/);
    expect(out).toContain('7 steps: 5 passed, 1 errored, 1 skipped — exit 3');
  });

  it('ends with the step counts, the exit code and what was left behind', () => {
    const out = renderTerminal(incidentReport(), { color: false });
    expect(out).toContain('7 steps: 4 passed, 1 warned, 1 failed, 1 blocked — exit 1');
    expect(out).toMatch(/Left behind on prod:\n {2}- run 9f8e7d6c5b4a is soft-deleted/);
    expect(renderTerminal(fixtureReport(), { color: false })).toMatch(/staging: 7 steps: 7 passed\nprod: +7 steps: .*\nverdict fail — exit 1/);
  });

  it.each([100, 80, 60])('keeps every line within %i columns, but for one unbreakable word (a URL) on its own line', (width) => {
    for (const report of [incidentReport(), fixtureReport()]) {
      for (const color of [false, true]) {
        const plain = (l: string) => l.replace(/\u001b\[[0-9;]*m/g, '');
        const long = renderTerminal(report, { color, width })
          .split('\n')
          .filter((l) => columns(l) > width && !/^\S+( \\)?$/.test(plain(l).trim()));
        expect(long).toEqual([]);
      }
    }
  });

  it('never prints the raw key', () => {
    expect(renderTerminal(fixtureReport(), { color: false })).not.toContain(RAW_KEY);
  });
});
