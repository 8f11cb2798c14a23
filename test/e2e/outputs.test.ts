// Every CI-gate and on-call output, produced by the spawned CLI against the embedded stack, read back
// and checked: JSON (zod schema and the printed JSON Schema), JUnit, HAR, Markdown, the GitHub step
// summary and annotations, --verbose, timing phases and the --post-report bundle. Each scenario runs
// the CLI once with every output on; each test then checks one output of that run.
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { Report } from '../../src/report/schema.js';
import { startStack, type FaultName, type Stack } from '../../src/sim/stack.js';
import { stackArgs, type CliRun } from '../helpers/cli.js';
import { runInProcess } from '../helpers/in-process.js';
import { startCollector, parseMultipart, type Collector } from '../helpers/gate-collector.js';
import { parseHar, type Har } from '../helpers/har.js';
import { readReport, stepOf } from '../helpers/report.js';
import { tempDir } from '../helpers/tmp.js';
import { findAll, parseXml, type XmlElement } from '../unit/report/xml.js';

const tmp = tempDir();
afterAll(() => tmp.remove());

const STEPS = ['auth', 'health', 'experiments', 'run', 'artifact', 'register', 'cleanup'];
const JUNIT_XSD = fileURLToPath(new URL('../unit/report/junit.xsd', import.meta.url));
const SUMMARY_PREFIX = '## Earlier step of this job\n';

interface Scenario {
  stack: Stack;
  collector: Collector;
  run: CliRun;
  report: Report;
  files: { json: string; junit: string; har: string; markdown: string; summary: string };
  text: (file: keyof Scenario['files']) => string;
}

/** One spawned check against a stack with every output on; the summary file is pre-filled. */
async function runScenario(name: string, faults: FaultName[]): Promise<Scenario> {
  const stack = await startStack({ faults });
  const collector = await startCollector();
  const files = {
    json: tmp.file(`${name}.json`),
    junit: tmp.file(`${name}.xml`),
    har: tmp.file(`${name}.har`),
    markdown: tmp.file(`${name}.md`),
    summary: tmp.file(`${name}-summary.md`),
  };
  writeFileSync(files.summary, SUMMARY_PREFIX);
  const run = await runInProcess(
    [
      ...stackArgs(stack),
      ...['--json', files.json, '--junit', files.junit, '--har', files.har, '--markdown', files.markdown],
      ...['--post-report', collector.url, '--verbose'],
    ],
    { env: { HOKUSAI_API_KEY: stack.apiKey, GITHUB_STEP_SUMMARY: files.summary } },
  );
  return { stack, collector, run, report: readReport(files.json), files, text: (f) => readFileSync(files[f], 'utf8') };
}

/** What every scenario's outputs must be, whatever the deployment's state. */
function itWritesValidOutputs(scenario: () => Scenario): void {
  it('writes a --json report that the printed JSON Schema accepts', () => {
    expectSchemaAccepts(schemaText, scenario().report);
  });

  it('writes JUnit valid against the JUnit XSD (xmllint, which scripts/test-machine.sh installs)', () => {
    expectXsdValid(scenario().files.junit);
  });

  it('writes a HAR 1.2 whose entries are the report exchanges, in order, with valid timings', () => {
    expectHarMatchesReport(parseHar(scenario().text('har')), scenario().report);
  });

  it('prints one --verbose line per exchange on stderr', () => {
    expectVerboseLines(scenario().run.stderr, scenario().report);
  });

  it('records timing phases: a fresh connection has connect >= 0, and total >= wait for every answer', () => {
    expectTimingPhases(scenario().report);
  });

  it('posts report.json, report.md and report.har as one multipart body, without the key', () => {
    expectPostedBundle(scenario());
  });

  it('never writes the key into any output', () => {
    expectNoKey(scenario());
  });
}

async function closeScenario(s: Scenario | undefined): Promise<void> {
  await Promise.all([s?.stack.close(), s?.collector.close()]);
}

let schemaText = '';
beforeAll(async () => {
  const run = await runInProcess(['schema']);
  expect(run.code, run.stderr).toBe(0);
  schemaText = run.stdout;
});

describe('the incident: artifacts misrouted by the proxy', () => {
  let s: Scenario;
  beforeAll(async () => {
    s = await runScenario('incident', ['artifacts-misrouted']);
  });
  afterAll(() => closeScenario(s));

  it('exits 1 with artifact as the root cause ROUTE_ARTIFACTS_MISROUTED and register blocked', () => {
    expect(s.run.code, s.run.all).toBe(1);
    expect(stepOf(s.report, 'artifact')).toMatchObject({ status: 'fail', rootCause: true });
    expect(stepOf(s.report, 'register')).toMatchObject({ status: 'blocked', blockedBy: 'artifact' });
    expect(s.report.targets[0]!.findings[0]).toMatchObject({ code: 'ROUTE_ARTIFACTS_MISROUTED', rootCause: true });
  });

  it('writes JUnit with one testsuite of 7 testcases, one failure carrying the code and cause, and the blocked step skipped', () => {
    const root = parseXml(s.text('junit'));
    expect(root.name).toBe('testsuites');
    expect(root.attrs).toMatchObject({ tests: '7', failures: '1', errors: '0' });
    const suites = findAll(root, 'testsuite');
    expect(suites).toHaveLength(1);
    expect(suites[0]!.attrs).toMatchObject({ name: 'default', tests: '7', failures: '1', errors: '0', skipped: '1' });
    const cases = findAll(suites[0]!, 'testcase');
    expect(cases.map((c) => c.attrs.name)).toEqual(STEPS);
    for (const c of cases) expect(Number(c.attrs.time)).toBeGreaterThanOrEqual(0);

    const failures = findAll(root, 'failure');
    expect(failures).toHaveLength(1);
    const failure = failures[0]!;
    expect(caseOf(cases, failure)).toBe('artifact');
    const finding = s.report.targets[0]!.findings[0]!;
    expect(failure.attrs.type).toBe('ROUTE_ARTIFACTS_MISROUTED');
    expect(failure.attrs.message).toBe(`ROUTE_ARTIFACTS_MISROUTED: ${finding.cause}`);
    // The body carries the fix and the failing exchange, not only the headline.
    expect(failure.text).toContain(finding.fix[0]!);
    const put = s.report.targets[0]!.exchanges.find(
      (x) => x.step === 'artifact' && x.request.method === 'PUT' && x.response?.status === 404,
    )!;
    expect(failure.text).toContain(put.request.url);

    const skipped = findAll(root, 'skipped');
    expect(skipped).toHaveLength(1);
    expect(caseOf(cases, skipped[0]!)).toBe('register');
    expect(skipped[0]!.attrs.message).toBe('blocked by artifact');
  });

  it('writes Markdown with the matrix (a row per step) and the root-cause code', () => {
    const md = s.text('markdown');
    // A target given by flags is titled by its host.
    expect(md).toMatch(/^\| Step \| 127\.0\.0\.1:\d+ \| Detail \|$/m);
    for (const id of STEPS) expect(md).toMatch(new RegExp(`^\\| ${id} \\| .+ \\|$`, 'm'));
    expect(md).toMatch(/^\| artifact \| ✖ \*\*fail\*\* .*← root cause \|/m);
    expect(md).toMatch(/^\| register \| ● blocked \(by artifact\) \|/m);
    expect(md).toMatch(/^## Root cause\n\n### `ROUTE_ARTIFACTS_MISROUTED`/m);
  });

  it('appends the same Markdown to GITHUB_STEP_SUMMARY, keeping what was there', () => {
    expect(s.text('summary')).toBe(`${SUMMARY_PREFIX}\n${s.text('markdown')}`);
  });

  it('prints a ::error annotation titled with the root-cause code on stdout', () => {
    const errors = s.run.stdout.split('\n').filter((l) => l.startsWith('::error'));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/^::error title=ROUTE_ARTIFACTS_MISROUTED::The API proxy routes `mlflow-artifacts` requests .+ Fix: /);
    expect(s.run.stdout).toMatch(/^::warning title=HEALTH_DEGRADED::/m);
  });

  itWritesValidOutputs(() => s);
});

describe('a healthy deployment', () => {
  let s: Scenario;
  beforeAll(async () => {
    s = await runScenario('healthy', []);
  });
  afterAll(() => closeScenario(s));

  it('exits 0 with every step passing', () => {
    expect(s.run.code, s.run.all).toBe(0);
    expect(s.report.targets[0]!.steps.map((x) => x.status)).toEqual(STEPS.map(() => 'pass'));
  });

  it('writes JUnit with 7 testcases and no failure, error or skipped element', () => {
    const root = parseXml(s.text('junit'));
    expect(root.attrs).toMatchObject({ tests: '7', failures: '0', errors: '0' });
    expect(findAll(root, 'testsuite')).toHaveLength(1);
    expect(findAll(root, 'testcase')).toHaveLength(7);
    for (const tag of ['failure', 'error', 'skipped']) expect(findAll(root, tag)).toEqual([]);
  });

  it('writes Markdown with a passing matrix and no root cause', () => {
    const md = s.text('markdown');
    for (const id of STEPS) expect(md).toMatch(new RegExp(`^\\| ${id} \\| ✔ pass .+ \\|$`, 'm'));
    expect(md).toContain('## Root cause\n\nNone: no step failed.');
  });

  it('appends the Markdown to GITHUB_STEP_SUMMARY and prints no annotation', () => {
    expect(s.text('summary')).toBe(`${SUMMARY_PREFIX}\n${s.text('markdown')}`);
    expect(s.run.stdout).not.toMatch(/^::(error|warning)/m);
  });

  itWritesValidOutputs(() => s);
});

describe('hokus-check schema', () => {
  it('prints a draft 2020-12 JSON Schema with the report v1 top-level properties', () => {
    const schema = JSON.parse(schemaText) as { $schema: string; type: string; properties: Record<string, unknown>; required: string[] };
    expect(schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    expect(schema.type).toBe('object');
    const top = ['schemaVersion', 'tool', 'startedAt', 'durationMs', 'verdict', 'exitCode', 'targets'];
    expect(Object.keys(schema.properties)).toEqual(expect.arrayContaining([...top, 'checkId']));
    expect(schema.required).toEqual(expect.arrayContaining(top));
  });

  it('rejects reports that break it (so accepting one means something)', () => {
    const validator = z.fromJSONSchema(JSON.parse(schemaText) as Parameters<typeof z.fromJSONSchema>[0]);
    const good = minimalReport();
    expect(validator.safeParse(good).success).toBe(true);
    expect(validator.safeParse({ ...good, schemaVersion: 2 }).success).toBe(false);
    expect(validator.safeParse({ ...good, verdict: 'fine' }).success).toBe(false);
    const { targets: _t, ...noTargets } = good;
    expect(validator.safeParse(noTargets).success).toBe(false);
  });
});

// ── checks shared by both scenarios ─────────────────────────────────────────────────────────────

function expectSchemaAccepts(schemaJson: string, report: Report): void {
  const validator = z.fromJSONSchema(JSON.parse(schemaJson) as Parameters<typeof z.fromJSONSchema>[0]);
  const result = validator.safeParse(report);
  expect(result.success, result.error?.message).toBe(true);
}

function expectXsdValid(file: string): void {
  const lint = spawnSync('xmllint', ['--noout', '--schema', JUNIT_XSD, file], { encoding: 'utf8' });
  expect(lint.status, lint.stderr).toBe(0);
}

/** The testcase (step) an element belongs to. */
function caseOf(cases: XmlElement[], element: XmlElement): string | undefined {
  return cases.find((c) => c.children.includes(element))?.attrs.name;
}

function expectHarMatchesReport(har: Har, report: Report): void {
  const { log } = har;
  expect(log.version).toBe('1.2');
  expect(log.creator).toEqual({ name: 'hokus-check', version: report.tool.version });
  expect(log.pages.map((p) => p.id)).toEqual(['default']);
  const exchanges = report.targets[0]!.exchanges;
  expect(exchanges.length).toBeGreaterThan(10);
  expect(log.entries.map((e) => e._id)).toEqual(exchanges.map((x) => x.id));
  expect(log.entries.map((e) => `${e.request.method} ${e.request.url}`)).toEqual(
    exchanges.map((x) => `${x.request.method} ${x.request.url}`),
  );
  expect(log.entries.map((e) => e.response.status)).toEqual(exchanges.map((x) => x.response?.status ?? 0));
  for (const e of log.entries) {
    expect(e.pageref).toBe('default');
    expect(Number.isNaN(Date.parse(e.startedDateTime))).toBe(false);
    expect(e.request).toMatchObject({ httpVersion: 'HTTP/1.1', headersSize: -1, cookies: [] });
    expect(Array.isArray(e.request.headers) && Array.isArray(e.request.queryString)).toBe(true);
    expect(typeof e.response.content.mimeType).toBe('string');
    expect(typeof e.response.redirectURL).toBe('string');
    expect(e.cache).toEqual({});
    // HAR 1.2: send, wait and receive are required (>= 0); the others may be -1 (not applicable).
    for (const phase of ['send', 'wait', 'receive'] as const) expect(e.timings[phase]).toBeGreaterThanOrEqual(0);
    for (const phase of ['blocked', 'dns', 'connect', 'ssl'] as const) expect(e.timings[phase]).toBeGreaterThanOrEqual(-1);
    expect(e.time).toBeGreaterThanOrEqual(0);
    const sum = Object.entries(e.timings)
      .filter(([k, v]) => k !== 'ssl' && v > 0)
      .reduce((a, [, v]) => a + v, 0);
    expect(Math.abs(e.time - sum)).toBeLessThan(0.01);
  }
  // The key is masked in the Authorization header, not dropped or sent in the clear.
  const auth = log.entries.flatMap((e) => e.request.headers).filter((h) => h.name.toLowerCase() === 'authorization');
  expect(auth.length).toBeGreaterThan(0);
  for (const h of auth) expect(h.value).toMatch(/^Bearer hk_test_…[A-Za-z0-9]{4}$/);
}

function expectVerboseLines(stderr: string, report: Report): void {
  const lines = stderr.split('\n').filter((l) => /^x\d+ /.test(l));
  const exchanges = report.targets[0]!.exchanges;
  expect(lines).toHaveLength(exchanges.length);
  // Printed as each exchange finishes, so the order may differ; the set may not.
  expect(lines.map((l) => l.split(' ')[0]).sort()).toEqual(exchanges.map((x) => x.id).sort());
  for (const x of exchanges) {
    const line = lines.find((l) => l.startsWith(`${x.id} `))!;
    expect(line).toContain(`${x.id} ${x.step}`);
    expect(line).toContain(`${x.request.method} ${x.request.url}`);
    if (x.response) expect(line).toContain(`→ ${x.response.status}`);
  }
}

function expectTimingPhases(report: Report): void {
  const exchanges = report.targets[0]!.exchanges;
  // The first exchange to each origin cannot reuse a connection: it opened one.
  const firstPerOrigin = new Map<string, (typeof exchanges)[number]>();
  for (const x of exchanges) if (!firstPerOrigin.has(new URL(x.request.url).origin)) firstPerOrigin.set(new URL(x.request.url).origin, x);
  expect(firstPerOrigin.size).toBe(2); // auth service and registry
  for (const x of firstPerOrigin.values()) {
    expect(x.timings.connect, x.id).toBeGreaterThanOrEqual(0);
    expect(x.timings.dns, x.id).toBe(-1); // an IP literal needs no lookup
    expect(x.timings.ssl, x.id).toBe(-1); // plain http
  }
  // Later exchanges reuse kept-alive connections.
  expect(exchanges.some((x) => x.timings.connect === -1)).toBe(true);
  for (const x of exchanges.filter((e) => e.response)) {
    expect(x.timings.total, x.id).toBeGreaterThan(0);
    expect(x.timings.wait, x.id).toBeGreaterThanOrEqual(0);
    expect(x.timings.total, x.id).toBeGreaterThanOrEqual(x.timings.wait);
    const phases = [x.timings.blocked, x.timings.connect, x.timings.send, x.timings.wait, x.timings.receive].filter((v) => v > 0);
    expect(
      phases.reduce((a, b) => a + b, 0),
      x.id,
    ).toBeLessThanOrEqual(x.timings.total + 1);
  }
}

function expectPostedBundle(s: Scenario): void {
  const posts = s.collector.posts();
  expect(posts).toHaveLength(1);
  const post = posts[0]!;
  expect(post.method).toBe('POST');
  expect(post.path).toBe('/incidents/reports');
  expect(post.headers.authorization).toBeUndefined();
  expect(post.headers['x-api-key']).toBeUndefined();
  expect(Number(post.headers['content-length'])).toBe(post.body.length);
  const parts = parseMultipart(post.headers['content-type'], post.body);
  expect(parts.map((p) => [p.name, p.filename, p.contentType])).toEqual([
    ['report.json', 'report.json', 'application/json'],
    ['report.md', 'report.md', 'text/markdown; charset=utf-8'],
    ['report.har', 'report.har', 'application/json'],
  ]);
  // The same bytes as the files written by the same run.
  expect(parts[0]!.body).toBe(s.text('json'));
  expect(parts[1]!.body).toBe(s.text('markdown'));
  expect(parts[2]!.body).toBe(s.text('har'));
  expect(post.body.toString('utf8')).not.toContain(s.stack.apiKey);
  expect(s.run.stderr).toMatch(/report posted to http:\/\/127\.0\.0\.1:\d+\/incidents\/reports \(200\)/);
}

function expectNoKey(s: Scenario): void {
  const key = s.stack.apiKey;
  for (const f of ['json', 'junit', 'har', 'markdown', 'summary'] as const) expect(s.text(f), f).not.toContain(key);
  expect(s.run.all).not.toContain(key);
  // ... while the masked form shows which key was used.
  expect(s.text('markdown')).toContain(`hk_test_…${key.slice(-4)}`);
}

/** A small report that satisfies v1, for the negative schema checks. */
function minimalReport(): Record<string, unknown> {
  return {
    schemaVersion: 1,
    tool: { name: 'hokus-check', version: '0.1.0' },
    startedAt: '2025-01-01T00:00:00.000Z',
    durationMs: 1,
    verdict: 'pass',
    exitCode: 0,
    insecure: false,
    targets: [],
  };
}
