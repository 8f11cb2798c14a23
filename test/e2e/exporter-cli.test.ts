// What only the binary shows: `hokus-check exporter` refusing bad input with one line and exit 2,
// serving and stopping on SIGTERM with exit 0, and `--prometheus FILE` on the normal check writing the
// metrics for node_exporter's textfile collector (atomically: no temp file left beside it).
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type Stack } from '../../src/sim/stack.js';
import { BIN, runCli, stackArgs } from '../helpers/cli.js';
import { findLeaks } from '../helpers/safety-leak.js';
import { tempDir } from '../helpers/tmp.js';

const tmp = tempDir();
let stack: Stack;
let config = '';

beforeAll(async () => {
  stack = await startStack({ faults: ['artifacts-misrouted'], pendingPolls: 0 });
  config = tmp.file('hokus-check.config.json');
  writeFileSync(config, JSON.stringify({ environments: { incident: { registryUrl: stack.registryUrl, authUrl: stack.authUrl, apiKeyEnv: 'HK_INCIDENT' } } }));
});
afterAll(async () => {
  await stack?.close();
  tmp.remove();
});

describe('hokus-check exporter: bad input', () => {
  it.each([
    ['not a host and port', ['--listen', 'localhost']],
    ['a port out of range', ['--listen', '127.0.0.1:70000']],
  ])('--listen with %s: exit 2, one line', async (_what, args) => {
    const run = await runCli(['exporter', ...args, '--config', config], { env: { HK_INCIDENT: stack.apiKey } });
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/^hokus-check: --listen "[^"]*": .+\(expected HOST:PORT, e\.g\. 127\.0\.0\.1:9464 or :9464\)\n$/);
  });

  it('an address in use: exit 2, one line', async () => {
    const busy: Server = createServer();
    await new Promise<void>((r) => busy.listen(0, '127.0.0.1', r));
    try {
      const port = (busy.address() as { port: number }).port;
      const run = await runCli(['exporter', '--listen', `127.0.0.1:${port}`, '--config', config], { env: { HK_INCIDENT: stack.apiKey } });
      expect(run.code).toBe(2);
      expect(run.stderr).toBe(`hokus-check: --listen "127.0.0.1:${port}": cannot listen there (EADDRINUSE)\n`);
    } finally {
      await new Promise((r) => busy.close(r));
    }
  });

  it('no key in the env var the config names: exit 2, one line naming it', async () => {
    const run = await runCli(['exporter', '--listen', '127.0.0.1:0', '--config', config]);
    expect(run.code).toBe(2);
    expect(run.stderr).toBe('hokus-check: environment "incident": no API key: set HK_INCIDENT (or --api-key-env NAME, or --api-key-stdin)\n');
  });

  it('no config file: exit 2, one line', async () => {
    const empty = tmp.file('empty');
    mkdirSync(empty);
    const run = await runCli(['exporter', '--listen', '127.0.0.1:0'], { cwd: empty });
    expect(run.code).toBe(2);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).toMatch(/^hokus-check: no config file/);
  });
});

describe('hokus-check exporter: serving', () => {
  it('answers /probe, logs one line per check without the key, and exits 0 on SIGTERM', async () => {
    const child = spawn(process.execPath, [BIN, 'exporter', '--listen', '127.0.0.1:0', '--config', config], {
      env: { PATH: process.env.PATH, HK_INCIDENT: stack.apiKey },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    let stdout = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    const listening = new Promise<string>((resolve, reject) => {
      child.stderr.on('data', (d: Buffer) => {
        stderr += d.toString();
        const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(stderr);
        if (m) resolve(m[1]!);
      });
      child.once('exit', () => reject(new Error(`exporter exited early:\n${stderr}`)));
    });
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      const url = await listening;
      const res = await fetch(`${url}/probe?env=incident`, { headers: { 'X-Prometheus-Scrape-Timeout-Seconds': '10' } });
      const body = await res.text();
      expect(res.status).toBe(200);
      expect(body).toContain('hokus_check_finding{env="incident",code="ROUTE_ARTIFACTS_MISROUTED",step="artifact",root="true"} 1\n');
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      expect(stderr).toMatch(/probe env=incident verdict=fail duration=\d+\.\d{3}s findings=ROUTE_ARTIFACTS_MISROUTED/);
      expect(findLeaks(stdout + stderr + body, stack.apiKey)).toEqual([]);
    } finally {
      child.kill('SIGKILL');
    }
  });
});

describe('hokus-check --prometheus FILE', () => {
  it('writes the metrics for the textfile collector, replacing the old file whole', async () => {
    const dir = tmp.file('textfile');
    const file = `${dir}/hokus-check.prom`;
    const first = await runCli([...stackArgs(stack), '--prometheus', file], { env: { HOKUSAI_API_KEY: stack.apiKey } });
    expect(first.code, first.all).toBe(1);
    const run = await runCli([...stackArgs(stack), '--prometheus', file], { env: { HOKUSAI_API_KEY: stack.apiKey } });
    expect(run.code, run.all).toBe(1);
    const text = readFileSync(file, 'utf8');
    expect(text).toContain('hokus_check_success{env="default"} 0\n');
    expect(text).toContain('hokus_check_step_success{env="default",step="artifact"} 0\n');
    expect(text).toContain('hokus_check_finding{env="default",code="ROUTE_ARTIFACTS_MISROUTED",step="artifact",root="true"} 1\n');
    // The textfile collector reads *.prom only; no temp file is left to be half-read or to pile up.
    expect(readdirSync(dir)).toEqual(['hokus-check.prom']);
    const lint = spawnSync('/usr/bin/promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
    expect(lint.status, lint.stdout + lint.stderr).toBe(0);
    expect(findLeaks(text, stack.apiKey)).toEqual([]);
  });

  it('cannot write: a non-zero exit and one line naming the file', async () => {
    const blocker = tmp.file('not-a-dir');
    writeFileSync(blocker, '');
    const run = await runCli([...stackArgs(stack), '--prometheus', `${blocker}/x.prom`], { env: { HOKUSAI_API_KEY: stack.apiKey } });
    expect(run.code).not.toBe(0);
    expect(run.stderr).toMatch(new RegExp(`^hokus-check: .*cannot write the Prometheus metrics to ${blocker.replace(/[/.]/g, '\\$&')}/x\\.prom: E[A-Z]+`, 'm'));
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });
});
