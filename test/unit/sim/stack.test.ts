// The stack's own API: options, faults, seeding, inventory, the request log, close().
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { serveStack } from '../../../src/sim/serve.js';
import { generateTestKey, startStack, type Stack } from '../../../src/sim/stack.js';
import type { FaultName } from '../../../src/sim/faults.js';
import { request } from './http.js';

let stack: Stack | undefined;
afterEach(async () => {
  await stack?.close();
  stack = undefined;
});

describe('startStack', () => {
  it('generates hk_test_ keys of 32 base62 characters', () => {
    const a = generateTestKey();
    expect(a).toMatch(/^hk_test_[A-Za-z0-9]{32}$/);
    expect(generateTestKey()).not.toBe(a);
  });

  it('refuses unknown faults, naming the valid ones', async () => {
    await expect(startStack({ faults: ['nope' as FaultName] })).rejects.toThrow(
      /unknown fault "nope"; valid faults: artifacts-misrouted, .*echo-key/,
    );
  });

  it('runs three loopback servers on distinct ports and uses the given key and port', async () => {
    const probe = await startStack();
    const port = Number(new URL(probe.registryUrl).port);
    await probe.close();
    stack = await startStack({ apiKey: 'hk_test_given', port });
    expect(stack.registryUrl).toBe(`http://127.0.0.1:${port}`);
    expect(new Set([stack.registryUrl, stack.authUrl, stack.mlflowUrl]).size).toBe(3);
    expect(stack.apiKey).toBe('hk_test_given');
    expect((await request(stack.mlflowUrl, '/version')).text).toBe('2.12.2');
  });

  it('seeds leftovers and reports them in the inventory', async () => {
    stack = await startStack();
    const exp = stack.seed.experiment('hokus-check');
    expect(stack.seed.experiment('hokus-check')).toBe(exp);
    const runId = stack.seed.run({
      experimentId: exp,
      name: 'hokus-check-old',
      tags: { 'hokus-check.id': 'old' },
      startTime: 1000,
      artifacts: { 'hokus-check/a.bin': 'x' },
    });
    stack.seed.registeredModel({
      name: 'hokus-check-old',
      tags: { 'hokus-check.id': 'old' },
      versions: [{ runId, source: `mlflow-artifacts:/${exp}/${runId}/artifacts/hokus-check` }],
    });
    const inv = stack.inventory();
    expect(inv.experiments).toEqual([
      { id: '0', name: 'Default', lifecycleStage: 'active' },
      { id: exp, name: 'hokus-check', lifecycleStage: 'active' },
    ]);
    expect(inv.runs).toEqual([
      {
        runId,
        experimentId: exp,
        name: 'hokus-check-old',
        lifecycleStage: 'active',
        tags: { 'hokus-check.id': 'old', 'mlflow.runName': 'hokus-check-old' },
        startTime: 1000,
      },
    ]);
    expect(inv.registeredModels).toEqual([
      {
        name: 'hokus-check-old',
        tags: { 'hokus-check.id': 'old' },
        versions: [{ version: '1', status: 'READY', runId, source: `mlflow-artifacts:/${exp}/${runId}/artifacts/hokus-check` }],
      },
    ]);
    expect(inv.artifactFiles).toEqual([`${exp}/${runId}/artifacts/hokus-check/a.bin`]);

    // The seeded leftovers are what a sweep finds through the API.
    const headers = { authorization: `Bearer ${stack.apiKey}` };
    const models = await request(
      stack.registryUrl,
      `/api/mlflow/api/2.0/mlflow/registered-models/search?filter=${encodeURIComponent("name LIKE 'hokus-check-%'")}&max_results=100`,
      { headers },
    );
    expect(models.json()).toMatchObject({
      registered_models: [{ name: 'hokus-check-old', latest_versions: [{ version: '1', status: 'READY' }] }],
    });
  });

  it('finds runs by tag with runs/search', async () => {
    stack = await startStack();
    const exp = stack.seed.experiment('hokus-check');
    const old = stack.seed.run({ experimentId: exp, name: 'a', tags: { 'hokus-check.id': 'old' }, startTime: 1000 });
    stack.seed.run({ experimentId: exp, name: 'b', tags: { other: 'x' } });
    const res = await request(stack.mlflowUrl, '/api/2.0/mlflow/runs/search', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        experiment_ids: [exp],
        filter: "tags.`hokus-check.id` != '' and attributes.start_time < 5000",
        max_results: 10,
      }),
    });
    expect(res.status).toBe(200);
    const runs = (res.json() as { runs: Array<{ info: { run_id: string } }> }).runs;
    expect(runs.map((r) => r.info.run_id)).toEqual([old]);
  });

  it("pages experiments/search with MLflow's page token", async () => {
    stack = await startStack();
    stack.seed.experiment('a');
    stack.seed.experiment('b');
    const first = (await request(stack.mlflowUrl, '/api/2.0/mlflow/experiments/search?max_results=2')).json() as {
      experiments: unknown[];
      next_page_token: string;
    };
    expect(first.experiments).toHaveLength(2);
    expect(Buffer.from(first.next_page_token, 'base64').toString()).toBe('{"offset": 2}');
    const second = (
      await request(stack.mlflowUrl, `/api/2.0/mlflow/experiments/search?max_results=2&page_token=${first.next_page_token}`)
    ).json() as {
      experiments: Array<{ experiment_id: string }>;
      next_page_token?: string;
    };
    expect(second.next_page_token).toBeUndefined();
    const ids = [...first.experiments, ...second.experiments].map((e) => (e as { experiment_id: string }).experiment_id);
    expect(ids.sort()).toEqual(['0', '1', '2']);
  });

  it('close() closes every server and removes the generated artifact dir', async () => {
    const s = await startStack();
    const runId = s.seed.run({ experimentId: '0', name: 'r', artifacts: { 'marker.txt': 'x' } });
    const dir = fs
      .readdirSync(os.tmpdir())
      .filter((d) => d.startsWith('hokus-sim-'))
      .map((d) => path.join(os.tmpdir(), d))
      .find((d) => fs.existsSync(path.join(d, '0', runId, 'artifacts', 'marker.txt')));
    expect(dir).toBeDefined();
    expect((await request(s.registryUrl, '/health')).status).toBe(200);
    await s.close();
    expect(fs.existsSync(dir as string)).toBe(false);
    await expect(request(s.registryUrl, '/health')).rejects.toThrow();
    await expect(request(s.mlflowUrl, '/health')).rejects.toThrow();
    await expect(request(s.authUrl, '/health')).rejects.toThrow();
  });

  it('keeps a given artifactDir on close', async () => {
    const dir = fs.mkdtempSync('/tmp/hokus-given-');
    stack = await startStack({ artifactDir: dir });
    stack.seed.run({ experimentId: '0', name: 'r', artifacts: { 'f.txt': 'x' } });
    await stack.close();
    stack = undefined;
    expect(fs.existsSync(dir)).toBe(true);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});

describe('serveStack', () => {
  it('prints the URLs, the faults, the key export line and a ready-to-run command', async () => {
    const lines: string[] = [];
    stack = await serveStack({ faults: ['artifacts-misrouted'] }, (l) => lines.push(l));
    const text = lines.join('\n');
    expect(text).toContain(stack.registryUrl);
    expect(text).toContain(stack.authUrl);
    expect(text).toContain(stack.mlflowUrl);
    expect(text).toContain('artifacts-misrouted');
    expect(lines).toContain(`  export HOKUSAI_API_KEY=${stack.apiKey}`);
    expect(lines).toContain(
      `  hokus-check --registry-url ${stack.registryUrl} --auth-url ${stack.authUrl} --mlflow-direct-url ${stack.mlflowUrl}`,
    );
  });
});
