import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { renderJunit } from '../../../src/report/junit.js';
import { buildReport } from '../../../src/report/build.js';
import type { Report } from '../../../src/report/schema.js';
import { RAW_KEY, fixtureReport, fixtureResults } from './fixture.js';
import { findAll, parseXml } from './xml.js';
import type { XmlElement } from './xml.js';

// The Jenkins xUnit plugin's junit-10.xsd, the schema CI servers validate JUnit against: which
// attributes each element may carry (R = required) and which children it may hold.
const XSD: Record<string, { attrs: Record<string, 'R' | 'O'>; children: string[]; text: boolean }> = {
  testsuites: {
    attrs: { name: 'O', time: 'O', tests: 'O', failures: 'O', disabled: 'O', errors: 'O' },
    children: ['testsuite'],
    text: false,
  },
  testsuite: {
    attrs: Object.fromEntries(
      [
        'name',
        'failures',
        'errors',
        'time',
        'disabled',
        'skipped',
        'skips',
        'timestamp',
        'hostname',
        'id',
        'package',
        'assertions',
        'file',
        'skip',
        'log',
        'url',
      ]
        .map((a): [string, 'R' | 'O'] => [a, 'O'])
        .concat([['tests', 'R']]),
    ),
    children: ['testsuite', 'properties', 'testcase', 'system-out', 'system-err'],
    text: false,
  },
  properties: { attrs: {}, children: ['property'], text: false },
  property: { attrs: { name: 'R', value: 'R' }, children: [], text: false },
  testcase: {
    attrs: Object.fromEntries(
      ['assertions', 'time', 'timestamp', 'classname', 'status', 'class', 'file', 'line', 'log', 'group', 'url']
        .map((a): [string, 'R' | 'O'] => [a, 'O'])
        .concat([['name', 'R']]),
    ),
    children: ['skipped', 'error', 'failure', 'rerunFailure', 'rerunError', 'system-out', 'system-err'],
    text: false,
  },
  failure: { attrs: { type: 'O', message: 'O' }, children: [], text: true },
  error: { attrs: { type: 'O', message: 'O' }, children: [], text: true },
  skipped: { attrs: { type: 'O', message: 'O' }, children: [], text: true },
  'system-out': { attrs: {}, children: [], text: true },
  'system-err': { attrs: {}, children: [], text: true },
};

function validate(e: XmlElement, path = e.name): string[] {
  const rule = XSD[e.name];
  if (rule === undefined) return [`${path}: element not in the schema`];
  const problems: string[] = [];
  for (const a of Object.keys(e.attrs)) if (!(a in rule.attrs)) problems.push(`${path}: attribute ${a} not allowed`);
  for (const [a, use] of Object.entries(rule.attrs)) if (use === 'R' && !(a in e.attrs)) problems.push(`${path}: missing ${a}`);
  if (!rule.text && e.text.trim() !== '') problems.push(`${path}: text not allowed`);
  for (const c of e.children) {
    if (!rule.children.includes(c.name)) problems.push(`${path}: <${c.name}> not allowed here`);
    else problems.push(...validate(c, `${path}/${c.name}`));
  }
  return problems;
}

function parse(report: Report): XmlElement {
  return parseXml(renderJunit(report));
}

describe('JUnit report', () => {
  it('is well-formed XML that follows the common JUnit schema', () => {
    const root = parse(fixtureReport());
    expect(root.name).toBe('testsuites');
    expect(validate(root)).toEqual([]);
  });

  it('has a testsuite per target and a testcase per step, with the counts to match', () => {
    const root = parse(fixtureReport());
    expect(root.attrs).toMatchObject({ name: 'hokus-check', tests: '14', failures: '1', errors: '0', time: '0.713' });
    const suites = findAll(root, 'testsuite');
    expect(suites.map((s) => s.attrs.name)).toEqual(['staging', 'prod']);
    const prod = suites[1]!;
    expect(prod.attrs).toMatchObject({
      tests: '7',
      failures: '1',
      errors: '0',
      skipped: '1',
      time: '0.702',
      timestamp: '2026-03-14T09:26:53',
    });
    const cases = findAll(prod, 'testcase');
    expect(cases).toHaveLength(7);
    expect(cases.map((c) => c.attrs.classname)).toEqual(Array(7).fill('hokus-check.prod'));
    expect(cases.find((c) => c.attrs.name === 'artifact')?.attrs.time).toBe('0.404');
    expect(findAll(root, 'testcase')).toHaveLength(14);
    expect(findAll(root, 'failure')).toHaveLength(1);
    expect(findAll(root, 'skipped')).toHaveLength(1);
  });

  it('puts the finding, the fix and the failing exchange in <failure>', () => {
    const [failure] = findAll(parse(fixtureReport()), 'failure');
    expect(failure!.attrs.type).toBe('ROUTE_ARTIFACTS_MISROUTED');
    expect(failure!.attrs.message).toMatch(/^ROUTE_ARTIFACTS_MISROUTED: Tracking calls pass through/);
    expect(failure!.text).toContain('Fix:\n  1. Rewrite api/2.0/mlflow-artifacts/');
    expect(failure!.text).toContain(
      'x8 PUT https://registry.example.test/api/mlflow/api/2.0/mlflow-artifacts/artifacts/1/9f8e7d6c5b4a/artifacts/hokus-check/probe-deadbeef.bin → 404 text/html (hokusai-api → mlflow)',
    );
    // The HTML excerpt went through escaping and came back intact.
    expect(failure!.text).toContain('<!doctype html> <html lang=en> <title>404 Not Found</title>');
  });

  it('marks a blocked step skipped and keeps a warning in system-out', () => {
    const root = parse(fixtureReport());
    const prod = findAll(root, 'testsuite')[1]!;
    const register = findAll(prod, 'testcase').find((c) => c.attrs.name === 'register')!;
    expect(register.children.map((c) => [c.name, c.attrs.message])).toEqual([['skipped', 'blocked by artifact']]);
    const health = findAll(prod, 'testcase').find((c) => c.attrs.name === 'health')!;
    expect(health.children.map((c) => c.name)).toEqual(['system-out']);
    expect(health.children[0]!.text).toContain('HEALTH_DEGRADED');
  });

  it('reports an error outcome as <error>, not <failure> (Hurl’s split)', () => {
    const [staging] = fixtureResults();
    const s = staging!.steps.find((x) => x.id === 'experiments')!;
    s.status = 'error';
    s.detail = 'connection refused';
    s.exchangeIds = ['x4'];
    staging!.exchanges[3] = {
      ...staging!.exchanges[3]!,
      response: undefined,
      error: { kind: 'refused', code: 'ECONNREFUSED', message: 'connect ECONNREFUSED 10.0.0.1:443' },
    };
    const report = buildReport([staging!], {
      version: '0.1.0',
      startedAt: staging!.startedAt,
      durationMs: 5,
      exitCode: 3,
      interrupted: false,
    });
    const root = parse(report);
    expect(findAll(root, 'failure')).toHaveLength(0);
    const [error] = findAll(root, 'error');
    expect(error!.attrs).toMatchObject({ type: 'hokus-check.error', message: 'experiments error: connection refused' });
    expect(error!.text).toContain('x4 GET');
    expect(error!.text).toContain('refused (ECONNREFUSED)');
    expect(root.attrs.errors).toBe('1');
  });

  it('escapes markup and drops characters XML 1.0 forbids', () => {
    const report = fixtureReport();
    const f = report.targets[1]!.findings[0]!;
    f.cause = 'quote " amp & lt < gt > apos \' bell \u0007 nul \u0000 lone \ud800 ]]> end\nsecond line';
    const xml = renderJunit(report);
    const [failure] = findAll(parseXml(xml), 'failure');
    expect(failure!.attrs.message).toBe('ROUTE_ARTIFACTS_MISROUTED: quote " amp & lt < gt > apos \' bell nul lone ]]> end second line');
    expect(failure!.text).toContain('quote " amp & lt < gt > apos \' bell  nul  lone  ]]> end\nsecond line');
    expect(xml).not.toContain('\u0007');
  });

  it('never carries the raw key', () => {
    expect(renderJunit(fixtureReport())).not.toContain(RAW_KEY);
  });

  it.runIf(hasXmllint())('validates with xmllint against junit.xsd', () => {
    // Only where libxml2-utils happens to be installed; the structural checks above always run.
    const out = execFileSync('xmllint', ['--noout', '--schema', new URL('./junit.xsd', import.meta.url).pathname, '-'], {
      input: renderJunit(fixtureReport()),
    });
    expect(out.toString()).toBe('');
  });
});

function hasXmllint(): boolean {
  try {
    execFileSync('xmllint', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
