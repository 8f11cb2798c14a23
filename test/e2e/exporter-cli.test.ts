// What only the binary shows: `hokus-check exporter` refusing bad input with one line and exit 2,
// serving and stopping on SIGTERM with exit 0, and `--prometheus FILE` on the normal check writing the
// metrics for node_exporter's textfile collector (atomically: no temp file left beside it).
import { spawn, spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type Stack } from '../../src/sim/stack.js';
import { BIN, runCli, stackArgs } from '../helpers/cli.js';
import { runInProcess } from '../helpers/in-process.js';
import { findLeaks } from '../helpers/safety-leak.js';
import { tempDir } from '../helpers/tmp.js';

const tmp = tempDir();
let stack: Stack;
let slow: Stack;
let config = '';

beforeAll(async () => {
  [stack, slow] = await Promise.all([
    startStack({ faults: ['artifacts-misrouted'], pendingPolls: 0 }),
    // registered-models/create hangs for a minute.
    startStack({ faults: ['slow'], slowMs: 60_000, pendingPolls: 0 }),
  ]);
  config = tmp.file('hokus-check.config.json');
  writeFileSync(
    config,
    JSON.stringify({
      environments: {
        incident: { registryUrl: stack.registryUrl, authUrl: stack.authUrl, apiKeyEnv: 'HK_INCIDENT' },
        slow: { registryUrl: slow.registryUrl, authUrl: slow.authUrl, apiKeyEnv: 'HK_SLOW' },
      },
    }),
  );
});
afterAll(async () => {
  await Promise.all([stack?.close(), slow?.close()]);
  tmp.remove();
});

describe('hokus-check exporter: bad input', () => {
  // The rest of the bad input is covered in-process (exporter.test.ts); this is the binary's exit.
  it('--listen that is not a host and port: exit 2, one line, no stack trace', async () => {
    const run = await runCli(['exporter', '--listen', 'localhost', '--config', config], { env: keys() });
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toBe('hokus-check: --listen "localhost": not a host and port (expected HOST:PORT, e.g. 127.0.0.1:9464 or :9464)\n');
  });
});

describe('hokus-check exporter: serving', () => {
  it('answers /probe, logs one line per check without the key, and exits 0 on SIGTERM', async () => {
    const exporter = await spawnExporter();
    try {
      const res = await fetch(`${exporter.url}/probe?env=incident`, { headers: { 'X-Prometheus-Scrape-Timeout-Seconds': '10' } });
      const body = await res.text();
      expect(res.status).toBe(200);
      expect(body).toContain('hokus_check_finding{env="incident",code="ROUTE_ARTIFACTS_MISROUTED",step="artifact",root="true"} 1\n');
      exporter.child.kill('SIGTERM');
      expect(await exporter.exited).toBe(0);
      expect(exporter.stderr()).toMatch(/probe env=incident verdict=fail duration=\d+\.\d{3}s findings=ROUTE_ARTIFACTS_MISROUTED/);
      expect(findLeaks(exporter.output() + body, stack.apiKey)).toEqual([]);
    } finally {
      exporter.child.kill('SIGKILL');
    }
  });

  it('SIGTERM during a check: the check stops, cleans up what it created, answers, and the exporter exits 0', async () => {
    const exporter = await spawnExporter();
    try {
      const answer = fetch(`${exporter.url}/probe?env=slow`, { headers: { 'X-Prometheus-Scrape-Timeout-Seconds': '60' } }).then(
        async (r) => ({ status: r.status, body: await r.text() }),
      );
      // The check is inside registered-models/create, which hangs.
      for (let i = 0; i < 200 && !slow.requests().some((r) => r.path.includes('registered-models/create')); i++)
        await new Promise((r) => setTimeout(r, 50));
      expect(slow.requests().some((r) => r.path.includes('registered-models/create'))).toBe(true);
      exporter.child.kill('SIGTERM');
      expect(await exporter.exited).toBe(0);
      const { status, body } = await answer;
      expect(status).toBe(200);
      expect(body).toContain('hokus_check_step_status{env="slow",step="register",status="error"} 1\n');
      // The aborted create may still land (60 s): cleanup deleted what it knew of, and counts the model
      // it could not rule out as a possible leftover.
      expect(body).toContain('hokus_check_step_status{env="slow",step="cleanup",status="warn"} 1\n');
      expect(body).toContain('hokus_check_leftovers{env="slow"} 1\n');
      const inventory = slow.inventory();
      expect(inventory.runs.length).toBeGreaterThan(0);
      expect(inventory.runs.every((r) => r.lifecycleStage === 'deleted')).toBe(true);
      expect(inventory.registeredModels).toEqual([]);
      expect(inventory.artifactFiles).toEqual([]);
      expect(findLeaks(exporter.output() + body, slow.apiKey)).toEqual([]);
    } finally {
      exporter.child.kill('SIGKILL');
    }
  });
});

function keys(): Record<string, string> {
  return { HK_INCIDENT: stack.apiKey, HK_SLOW: slow.apiKey };
}

/** The exporter as a user starts it, on a free port; resolves once it listens. */
async function spawnExporter() {
  const child = spawn(process.execPath, [BIN, 'exporter', '--listen', '127.0.0.1:0', '--config', config], {
    env: { PATH: process.env.PATH, ...keys() },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  let stdout = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const url = await new Promise<string>((resolve, reject) => {
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(stderr);
      if (m) resolve(m[1]!);
    });
    void exited.then(() => reject(new Error(`exporter exited early:\n${stderr}`)));
  });
  return { child, url, exited, stderr: () => stderr, output: () => stdout + stderr };
}

describe('hokus-check --prometheus FILE', () => {
  it('writes the metrics for the textfile collector, replacing the old file whole', async () => {
    const dir = tmp.file('textfile');
    const file = `${dir}/hokus-check.prom`;
    const first = await runInProcess([...stackArgs(stack), '--prometheus', file], { env: { HOKUSAI_API_KEY: stack.apiKey } });
    expect(first.code, first.all).toBe(1);
    const run = await runInProcess([...stackArgs(stack), '--prometheus', file], { env: { HOKUSAI_API_KEY: stack.apiKey } });
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

  it('cannot write: exit 2 before the check, and one line naming the file', async () => {
    const blocker = tmp.file('not-a-dir');
    writeFileSync(blocker, '');
    const run = await runCli([...stackArgs(stack), '--prometheus', `${blocker}/x.prom`], { env: { HOKUSAI_API_KEY: stack.apiKey } });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(
      new RegExp(
        `^hokus-check: --prometheus ${blocker.replace(/[/.]/g, '\\$&')}/x\\.prom: ${blocker.replace(/[/.]/g, '\\$&')} is a file, not a directory$`,
        'm',
      ),
    );
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });
});
