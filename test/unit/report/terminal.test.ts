import { describe, expect, it } from 'vitest';
import { renderTerminal } from '../../../src/report/terminal.js';
import { buildReport } from '../../../src/report/build.js';
import { RAW_KEY, fixtureReport, fixtureResults, incidentReport } from './fixture.js';
import type { Report } from '../../../src/report/schema.js';

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
    const warning = out.indexOf('Warning: HEALTH_DEGRADED');
    expect(root).toBeGreaterThan(0);
    expect(warning).toBeGreaterThan(root);
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
    const out = renderTerminal(
      buildReport([prod], { version: '0.1.0', startedAt: prod.startedAt, durationMs: 1, exitCode: 1, interrupted: false }),
      {
        color: false,
      },
    );
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
    expect(renderTerminal(fixtureReport(), { color: false })).toMatch(
      /staging: 7 steps: 7 passed\nprod: +7 steps: .*\nverdict fail — exit 1/,
    );
  });

  it.each([100, 80, 60])('keeps every line within %i columns, but for one unbreakable word (a URL) on its own line', (width) => {
    for (const report of [incidentReport(), fixtureReport(), redirectReport()]) {
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

  it('folds an error finding that restates the root cause into one "Also seen" line', () => {
    const report = incidentReport();
    const t = report.targets[0]!;
    const root = t.findings[0]!;
    t.findings.push({
      ...root,
      code: 'AUTH_SERVICE_DOWN',
      title: 'Auth service unavailable',
      rootCause: false,
      step: 'auth',
      related: [root.code],
      evidence: ['x2'],
    });
    root.related = [...root.related, 'AUTH_SERVICE_DOWN'];
    const out = renderTerminal(report, { color: false });
    expect(out).toContain('Also seen: AUTH_SERVICE_DOWN in auth (x2) — the same problem.');
    expect(out).not.toContain('Finding: AUTH_SERVICE_DOWN');
    expect(out).toContain('Warning: HEALTH_DEGRADED');
  });

  it('collapses tries of one request with the same answer into one evidence line', () => {
    const report = incidentReport();
    const t = report.targets[0]!;
    const x8 = t.exchanges.find((x) => x.id === 'x8')!;
    t.exchanges.push({ ...x8, id: 'x20', attempt: 2 }, { ...x8, id: 'x21', attempt: 3 });
    t.findings[0]!.evidence = ['x8', 'x20', 'x21'];
    const out = renderTerminal(report, { color: false });
    expect(out).toMatch(/x8,x20,x21 PUT https:\/\/registry\.example\.test\/.*\n\s+→ 404 text\/html \(hokusai-api → mlflow\), 3 tries/);
    expect(out.split('\n').filter((l) => /^ {4}x[\d,x]+ +PUT /.test(l))).toHaveLength(1);
  });

  it('titles the column with the host when the target came from flags', () => {
    const report = incidentReport();
    report.targets[0]!.name = 'default';
    const lines = renderTerminal(report, { color: false }).split('\n');
    expect(lines.find((l) => l.startsWith('  step'))).toMatch(/step\s+registry\.example\.test\s+detail/);
    expect(lines.find((l) => l.startsWith('  register'))).toMatch(/● blocked \(by artifact\)$/);
  });

  it('ends the root cause with a curl line to reproduce it and the command that confirms the fix', () => {
    const out = renderTerminal(incidentReport(), { color: false, width: 100 });
    expect(out).toMatch(
      / {2}Reproduce:\n {4}curl -sS -i -X PUT \\\n {6}'https:\/\/registry\.example\.test\/api\/mlflow\/api\/2\.0\/mlflow-artifacts\/artifacts\/1\/9f8e7d6c5b4a\/artifacts\/hokus-check\/probe-deadbeef\.bin' \\\n {6}-H "Authorization: Bearer \$HOKUSAI_API_KEY"/,
    );
    expect(out).toMatch(/ {2}Confirm the fix:\n {4}hokus-check --env prod --only artifact\n/);
  });

  it('never breaks a URL or a VAR=value inside, at 60 columns', () => {
    const report = incidentReport();
    report.targets[0]!.findings[0]!.fix = [
      'Set MLFLOW_SERVER_URL=http://mlflow.hokusai-development.local:5000/with/a/long/path on the API service and redeploy it.',
    ];
    const out = renderTerminal(report, { color: false, width: 60 });
    expect(out).toContain('MLFLOW_SERVER_URL=http://mlflow.hokusai-development.local:5000/with/a/long/path');
  });

  it('--quiet prints the root cause and the summary line only', () => {
    const out = renderTerminal(incidentReport(), { color: false, quiet: true });
    expect(out.startsWith('Root cause: ROUTE_ARTIFACTS_MISROUTED')).toBe(true);
    expect(out).not.toContain('  step ');
    expect(out).not.toContain('HEALTH_DEGRADED —');
    expect(out.trimEnd().split('\n').at(-1)).toMatch(
      /^7 steps: 4 passed, 1 warned, 1 failed, 1 blocked — exit 1 · \d+ms · \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC$/,
    );
  });

  it('says --strict made a warning fail the gate', () => {
    const report = incidentReport();
    report.verdict = 'warn';
    report.exitCode = 1;
    expect(renderTerminal(report, { color: false })).toContain('— exit 1 (--strict: warnings fail)');
  });
});

/** The incident, its root finding's first exchange answered by a redirect with a long Location. */
function redirectReport(): Report {
  const r = incidentReport();
  const t = r.targets.find((x) => x.findings.some((f) => f.rootCause))!;
  const root = t.findings.find((f) => f.rootCause)!;
  const x = t.exchanges.find((e) => e.id === root.evidence[0])!;
  x.response = {
    ...x.response!,
    status: 302,
    headers: [['location', `https://login.example.test/oauth2/authorize?client_id=${'x'.repeat(90)}`]],
  };
  return r;
}
