// `hokus-check exporter` in front of embedded stacks (healthy, the incident, a slow registry, a server
// that echoes the key), run in-process with an injected Io, and scraped by a REAL Prometheus started
// on loopback with examples/prometheus/prometheus.yml (interval shortened, exporter address replaced).
// Also: the alerting rules through promtool, a probe cut short by its scrape timeout still cleaning
// up, overlapping scrapes of one environment and budget sharing one check, and no key in any answer or
// log line. Limits, poisoning, reload and the trust of a config file have their own files
// (exporter-limits, exporter-hostile, exporter-poisoning, exporter-reload, exporter-trust).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ExporterFlags } from '../../src/cli-flags.js';
import { startStack, type Stack } from '../../src/sim/stack.js';
import { eventually, parseExposition, runExporterInProcess, value, type Sample } from '../helpers/exporter.js';
import { findLeaks } from '../helpers/safety-leak.js';
import { tempDir } from '../helpers/tmp.js';

const EXAMPLES = fileURLToPath(new URL('../../examples/prometheus/', import.meta.url));
const PROMETHEUS = '/usr/bin/prometheus';
const PROMTOOL = '/usr/bin/promtool';

const tmp = tempDir();
const stacks: Record<'healthy' | 'incident' | 'slow' | 'busy' | 'echo', Stack> = {} as never;
let logs: string[] = [];
/** Every body the exporter answered, for the leak scan. */
const answers: string[] = [];
let exporterUrl = '';
let stopExporter: (() => void) | undefined;
let exporterDone: Promise<number> | undefined;
let configPath = '';
let keyEnv: Record<string, string> = {};

beforeAll(async () => {
  const [healthy, incident, slow, busy, echo] = await Promise.all([
    startStack({ pendingPolls: 0 }),
    startStack({ faults: ['artifacts-misrouted'], pendingPolls: 0 }),
    // registered-models/create hangs past any scrape timeout used here.
    startStack({ faults: ['slow'], slowMs: 60_000, pendingPolls: 0 }),
    // Registration stays PENDING for a few polls: a window in which scrapes overlap.
    startStack({ pendingPolls: 4 }),
    startStack({ faults: ['echo-key'], pendingPolls: 0 }),
  ]);
  Object.assign(stacks, { healthy, incident, slow, busy, echo });
  const environments: Record<string, unknown> = {};
  const env: Record<string, string> = {};
  for (const [name, stack] of Object.entries(stacks)) {
    const keyEnv = `HK_KEY_${name.toUpperCase()}`;
    environments[name] = { registryUrl: stack.registryUrl, authUrl: stack.authUrl, apiKeyEnv: keyEnv, retries: 0 };
    env[keyEnv] = stack.apiKey;
  }
  const config = tmp.file('hokus-check.config.json');
  writeFileSync(config, JSON.stringify({ environments }, null, 2));

  configPath = config;
  keyEnv = env;
  const exporter = runExporterInProcess({ listen: '127.0.0.1:0', config }, env, tmp.path);
  logs = exporter.logs;
  exporterDone = exporter.done;
  stopExporter = () => exporter.signal('SIGTERM');
  exporterUrl = await exporter.listening();
});

afterAll(async () => {
  stopExporter?.();
  await exporterDone;
  await Promise.all(Object.values(stacks).map((s) => s?.close()));
  tmp.remove();
});

describe('GET /probe', () => {
  it('answers a healthy environment with every step passing and no finding', async () => {
    const { status, type, body } = await probe('healthy');
    expect(status).toBe(200);
    expect(type).toBe('text/plain; version=0.0.4; charset=utf-8');
    const series = parseExposition(body);
    expect(value(series, 'hokus_check_success', { env: 'healthy' })).toBe(1);
    for (const step of ['auth', 'health', 'experiments', 'run', 'artifact', 'register', 'cleanup']) {
      expect(value(series, 'hokus_check_step_success', { env: 'healthy', step }), step).toBe(1);
      expect(value(series, 'hokus_check_step_duration_seconds', { env: 'healthy', step }), step).toBeGreaterThanOrEqual(0);
    }
    expect(series.filter((s) => s.name === 'hokus_check_finding')).toEqual([]);
    expect(value(series, 'hokus_check_leftovers', { env: 'healthy' })).toBe(0);
    expect(value(series, 'hokus_check_info', { env: 'healthy', version: '0.0.0-test', target: stacks.healthy.registryUrl })).toBe(1);
    // The artifact step's time is on the wire: its PUT and GET spent time waiting for the server.
    expect(value(series, 'hokus_check_step_phase_seconds', { env: 'healthy', step: 'artifact', phase: 'wait' })).toBeGreaterThan(0);
    expect(value(series, 'hokus_check_step_requests', { env: 'healthy', step: 'artifact' })).toBeGreaterThanOrEqual(2);
    expect(stacks.healthy.inventory().registeredModels).toEqual([]);
  });

  it('answers the incident with the artifact step failed and ROUTE_ARTIFACTS_MISROUTED as the root cause', async () => {
    const series = parseExposition((await probe('incident')).body);
    expect(value(series, 'hokus_check_success', { env: 'incident' })).toBe(0);
    expect(value(series, 'hokus_check_step_success', { env: 'incident', step: 'artifact' })).toBe(0);
    expect(value(series, 'hokus_check_step_status', { env: 'incident', step: 'register', status: 'blocked' })).toBe(1);
    expect(
      value(series, 'hokus_check_finding', { env: 'incident', code: 'ROUTE_ARTIFACTS_MISROUTED', step: 'artifact', root: 'true' }),
    ).toBe(1);
    expect(value(series, 'hokus_check_leftovers', { env: 'incident' })).toBe(0);
  });

  it('is valid text exposition for promtool', async () => {
    const body = (await probe('incident')).body;
    const lint = spawnSync(PROMTOOL, ['check', 'metrics'], { input: body, encoding: 'utf8' });
    expect(lint.error).toBeUndefined();
    expect(`${lint.stdout}${lint.stderr}`.trim()).toBe('');
    expect(lint.status).toBe(0);
  });

  it('answers an unknown or missing environment with 400 and one line naming the configured ones', async () => {
    const unknown = await get('/probe?env=prdo');
    expect(unknown.status).toBe(400);
    expect(unknown.body).toBe('unknown environment "prdo" (configured: healthy, incident, slow, busy, echo)\n');
    const missing = await get('/probe');
    expect(missing.status).toBe(400);
    expect(missing.body.trim().split('\n')).toHaveLength(1);
    const hostile = await get(`/probe?env=${encodeURIComponent('x\u001b[31m\nhokus_check_success 1')}`);
    expect(hostile.status).toBe(400);
    expect(hostile.body).not.toMatch(/[\u0000-\u0009\u000b-\u001f]/);
    expect(hostile.body.trim().split('\n')).toHaveLength(1);
  });

  it('cuts a check short at the scrape timeout, and its cleanup still deletes what it created', async () => {
    // registered-models/create hangs for 60 s; the scrape allows 3 s: the steps get 1.62 s, cleanup the rest.
    // (A scrape with another timeout would not join it: test/e2e/exporter-poisoning.test.ts.)
    const { status, body } = await probe('slow', 3);
    expect(status).toBe(200);
    const series = parseExposition(body);
    expect(value(series, 'hokus_check_success', { env: 'slow' })).toBe(0);
    // Everything before register answered: the step the timeout ended failed (src/steps/unanswered.ts).
    expect(value(series, 'hokus_check_step_status', { env: 'slow', step: 'register', status: 'fail' })).toBe(1);
    // The scrape's budget is the check's deadline: the same finding as `check --deadline` (test/e2e/gate.test.ts).
    expect(value(series, 'hokus_check_finding', { env: 'slow', code: 'DEADLINE_EXCEEDED', step: 'register', root: 'true' })).toBe(1);
    // The aborted create may still land (this server takes 60 s): cleanup deleted everything it knew of
    // and counts the model it could not rule out as a possible leftover (src/steps/cleanup.ts).
    expect(value(series, 'hokus_check_step_status', { env: 'slow', step: 'cleanup', status: 'warn' })).toBe(1);
    expect(value(series, 'hokus_check_leftovers', { env: 'slow' })).toBe(1);
    const inventory = stacks.slow.inventory();
    expect(inventory.runs.length).toBe(1);
    expect(inventory.runs.every((r) => r.lifecycleStage === 'deleted')).toBe(true);
    expect(inventory.registeredModels).toEqual([]);
    expect(inventory.artifactFiles).toEqual([]);
  });

  it('runs one check for overlapping scrapes of one environment and answers each from it', async () => {
    const before = await ownMetrics();
    const first = probe('busy');
    await eventually('the check of busy to run', async () =>
      value(await ownMetrics(), 'hokus_check_exporter_probes_in_flight', {}) === 1 ? true : undefined,
    );
    const bodies = await Promise.all([first, probe('busy'), probe('busy')]);
    expect(bodies.map((b) => b.status)).toEqual([200, 200, 200]);
    expect(new Set(bodies.map((b) => b.body)).size).toBe(1);
    expect(value(parseExposition(bodies[0].body), 'hokus_check_success', { env: 'busy' })).toBe(1);
    // One run created on the deployment, one check counted, two scrapes answered from it.
    expect(stacks.busy.inventory().runs).toHaveLength(1);
    const after = await ownMetrics();
    expect(
      value(after, 'hokus_check_exporter_probes_total', { env: 'busy', verdict: 'pass' }) -
        value(before, 'hokus_check_exporter_probes_total', { env: 'busy', verdict: 'pass' }, 0),
    ).toBe(1);
    const shared = (m: Sample[]) => value(m, 'hokus_check_exporter_scrapes_total', { env: 'busy', shared: 'true' });
    expect(shared(after) - shared(before)).toBe(2);
  });
});

describe('GET /metrics', () => {
  it("serves the exporter's own metrics: process, checks run, probe errors", async () => {
    const { status, body } = await get('/metrics');
    expect(status).toBe(200);
    const series = parseExposition(body);
    expect(series.some((s) => s.name === 'hokus_check_exporter_process_resident_memory_bytes')).toBe(true);
    expect(value(series, 'hokus_check_exporter_probes_total', { env: 'incident', verdict: 'fail' })).toBeGreaterThanOrEqual(1);
    expect(value(series, 'hokus_check_exporter_probe_errors_total', { reason: 'unknown_env' })).toBeGreaterThanOrEqual(1);
    // A name typed into a URL never becomes a series.
    expect(body).not.toContain('prdo');
  });
});

describe('the key', () => {
  it('appears in no answer and no log line, in any form, even from a server that echoes it', async () => {
    const series = parseExposition((await probe('echo')).body);
    expect(value(series, 'hokus_check_success', { env: 'echo' })).toBe(0);
    answers.push((await get('/metrics')).body, (await get('/')).body);
    const text = [...answers, ...logs].join('\n');
    expect(logs.join('')).toMatch(/probe env=echo verdict=fail/);
    for (const stack of Object.values(stacks)) expect(findLeaks(text, stack.apiKey)).toEqual([]);
  });
});

describe('a real Prometheus scraping the exporter', () => {
  let prometheus: ChildProcess | undefined;
  let promUrl = '';
  const promLog: string[] = [];

  beforeAll(async () => {
    const port = await freePort();
    promUrl = `http://127.0.0.1:${port}`;
    const dir = tmp.file('prometheus');
    mkdirSync(`${dir}/data`, { recursive: true });
    writeFileSync(`${dir}/prometheus.yml`, testConfig(new URL(exporterUrl).host));
    prometheus = spawn(
      PROMETHEUS,
      [
        `--config.file=${dir}/prometheus.yml`,
        `--storage.tsdb.path=${dir}/data`,
        `--web.listen-address=127.0.0.1:${port}`,
        '--log.level=warn',
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    prometheus.stderr?.on('data', (d: Buffer) => promLog.push(d.toString()));
    await eventually(
      'Prometheus to be ready',
      async () => ((await fetch(`${promUrl}/-/ready`).catch(() => undefined))?.ok ? true : undefined),
      () => promLog.join(''),
    );
  });

  afterAll(async () => {
    if (prometheus && prometheus.exitCode === null) {
      const exited = new Promise((resolve) => prometheus!.once('exit', resolve));
      prometheus.kill('SIGTERM');
      await exited;
    }
  });

  it('loads the example alerting rules', async () => {
    const rules = (await (await fetch(`${promUrl}/api/v1/rules`)).json()) as {
      data: { groups: Array<{ rules: Array<{ name: string }> }> };
    };
    expect(rules.data.groups.flatMap((g) => g.rules.map((r) => r.name)).sort()).toEqual([
      'HokusCheckDiagnosisChanged',
      'HokusCheckLeftoversGrowing',
      'HokusCheckProbeFailing',
      'HokusCheckRegistrationBroken',
      'HokusCheckStale',
    ]);
  });

  it('records the artifact step failed with ROUTE_ARTIFACTS_MISROUTED for the incident, and passing when healthy', async () => {
    const queries: Array<[string, (r: PromSample[]) => boolean]> = [
      ['hokus_check_step_success{step="artifact",env="incident"}', (r) => r.length === 1 && r[0]!.value[1] === '0'],
      [
        'hokus_check_finding{env="incident",root="true"}',
        (r) => r.some((s) => s.metric.code === 'ROUTE_ARTIFACTS_MISROUTED' && s.metric.step === 'artifact'),
      ],
      ['hokus_check_step_success{step="artifact",env="healthy"}', (r) => r.length === 1 && r[0]!.value[1] === '1'],
      ['hokus_check_success', (r) => r.length === 2 && r.every((s) => s.value[1] === (s.metric.env === 'healthy' ? '1' : '0'))],
      ['count by (env) (hokus_check_finding{env="healthy"})', (r) => r.length === 0],
      ['up{job="hokus-check-exporter"}', (r) => r.length === 1 && r[0]!.value[1] === '1'],
      // The example rule, evaluated by Prometheus on the exporter's series: pending for the incident
      // only (its `for: 2m` keeps it from firing within a test).
      [
        'ALERTS{alertname="HokusCheckRegistrationBroken"}',
        (r) => r.length === 1 && r[0]!.metric.env === 'incident' && r[0]!.metric.alertstate === 'pending',
      ],
    ];
    for (const [query, ok] of queries) {
      const result = await eventually(
        `Prometheus to answer ${query} as expected`,
        async () => {
          const r = await promQuery(promUrl, query);
          return ok(r) ? r : undefined;
        },
        () => `last answers: ${JSON.stringify(lastAnswer)}\n${promLog.join('').slice(-2000)}`,
      );
      // The report quotes these answers.
      console.info(`PromQL ${query} => ${JSON.stringify(result.map((s) => ({ ...s.metric, value: s.value[1] })))}`);
    }
    // The instance label comes from the blackbox-style relabelling of the example config.
    const up = await promQuery(promUrl, 'up{job="hokus-check"}');
    expect(up.map((s) => s.metric.instance).sort()).toEqual(['healthy', 'incident']);
  });
});

describe('examples/prometheus', () => {
  it('prometheus.yml passes promtool check config', () => {
    const run = spawnSync(PROMTOOL, ['check', 'config', 'prometheus.yml'], { cwd: EXAMPLES, encoding: 'utf8' });
    expect(run.status, run.stdout + run.stderr).toBe(0);
    expect(run.stdout).toContain('SUCCESS: prometheus.yml is valid prometheus config file syntax');
  });

  it('alerts.yml passes promtool check rules', () => {
    const run = spawnSync(PROMTOOL, ['check', 'rules', 'alerts.yml'], { cwd: EXAMPLES, encoding: 'utf8' });
    console.info(`promtool check rules: ${run.stdout.trim()}`);
    expect(run.status, run.stdout + run.stderr).toBe(0);
    expect(run.stdout).toContain('SUCCESS: 5 rules found');
  });

  it('alerts.yml passes its unit tests (promtool test rules)', () => {
    const run = spawnSync(PROMTOOL, ['test', 'rules', 'alerts.test.yml'], { cwd: EXAMPLES, encoding: 'utf8' });
    console.info(`promtool test rules: ${run.stdout.trim().replace(/\s+/g, ' ')}`);
    expect(run.status, run.stdout + run.stderr).toBe(0);
    expect(run.stdout).toContain('SUCCESS');
  });
});

describe('bad input: one line, exit 2, nothing listens', () => {
  const run = async (flags: Partial<ExporterFlags>, env: Record<string, string> = keyEnv, cwd = tmp.path) => {
    const exporter = runExporterInProcess(flags, env, cwd);
    return { code: await exporter.done, err: exporter.logs.join('') };
  };

  it.each(['127.0.0.1:70000', 'localhost', 'http://127.0.0.1:9464'])('--listen %s', async (listen) => {
    const { code, err } = await run({ listen, config: configPath });
    expect(code).toBe(2);
    expect(err).toMatch(/^hokus-check: --listen "[^"]*": [^\n]+\(expected HOST:PORT, e\.g\. 127\.0\.0\.1:9464 or :9464\)\n$/);
  });

  it('an address in use', async () => {
    const port = new URL(exporterUrl).port;
    const { code, err } = await run({ listen: `127.0.0.1:${port}`, config: configPath });
    expect(code).toBe(2);
    expect(err).toBe(`hokus-check: --listen "127.0.0.1:${port}": cannot listen there (EADDRINUSE)\n`);
  });

  it('no key in the env var the config names', async () => {
    const { HK_KEY_SLOW: _gone, ...rest } = keyEnv;
    const { code, err } = await run({ listen: '127.0.0.1:0', config: configPath }, rest);
    expect(code).toBe(2);
    expect(err).toBe('hokus-check: environment "slow": no API key: set HK_KEY_SLOW (or --api-key-env NAME, or --api-key-stdin)\n');
    for (const stack of Object.values(stacks)) expect(findLeaks(err, stack.apiKey)).toEqual([]);
  });

  it('no --config (a file in the working directory is not used: test/e2e/exporter-trust.test.ts)', async () => {
    const empty = tmp.file('empty');
    mkdirSync(empty, { recursive: true });
    const { code, err } = await run({ listen: '127.0.0.1:0' }, keyEnv, empty);
    expect(code).toBe(2);
    expect(err).toBe('hokus-check: the exporter serves only a config file you name: give --config PATH (hokus-check init writes one)\n');
  });

  it('an environment the config does not define', async () => {
    const { code, err } = await run({ listen: '127.0.0.1:0', config: configPath, env: ['helthy'] });
    expect(code).toBe(2);
    expect(err).toMatch(/^hokus-check: --env "helthy": no such environment in .+ \(did you mean "healthy"\? defined: [^\n]+\)\n$/);
  });
});

// ---- helpers ----

async function get(path: string, headers: Record<string, string> = {}): Promise<{ status: number; type: string; body: string }> {
  const res = await fetch(`${exporterUrl}${path}`, { headers });
  const body = await res.text();
  answers.push(body);
  return { status: res.status, type: res.headers.get('content-type') ?? '', body };
}

function probe(env: string, scrapeTimeoutSeconds = 10): ReturnType<typeof get> {
  return get(`/probe?env=${encodeURIComponent(env)}`, { 'X-Prometheus-Scrape-Timeout-Seconds': String(scrapeTimeoutSeconds) });
}

async function ownMetrics(): Promise<Sample[]> {
  return parseExposition((await get('/metrics')).body);
}

interface PromSample {
  metric: Record<string, string>;
  value: [number, string];
}
let lastAnswer: unknown;

async function promQuery(base: string, query: string): Promise<PromSample[]> {
  const res = await fetch(`${base}/api/v1/query?query=${encodeURIComponent(query)}`);
  const json = (await res.json()) as { status: string; data?: { resultType: string; result: PromSample[] }; error?: string };
  lastAnswer = json;
  if (json.status !== 'success' || !json.data) throw new Error(`query ${query}: ${json.error ?? res.status}`);
  return json.data.result;
}

/** The example config with a 1 s interval, the test's environments and this exporter's address. */
function testConfig(exporterHost: string): string {
  let text = readFileSync(`${EXAMPLES}prometheus.yml`, 'utf8');
  const replace = (from: string | RegExp, to: string) => {
    const next = text.replace(from, to);
    if (next === text) throw new Error(`examples/prometheus/prometheus.yml no longer contains ${String(from)}`);
    text = next;
  };
  replace(/scrape_interval: 1m/g, 'scrape_interval: 1s');
  replace(/evaluation_interval: 1m/g, 'evaluation_interval: 1s');
  replace(/scrape_timeout: 45s/g, 'scrape_timeout: 1s');
  replace('targets: [staging, prod]', 'targets: [healthy, incident]');
  replace(/hokus-check-exporter:9464/g, exporterHost);
  replace('- alerts.yml', `- ${EXAMPLES}alerts.yml`);
  return text;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
