// `sweep` ages what it finds by the checks' own clock, never by the MLflow server's: the
// `hokus-check.created` tag a check writes with its machine's time, and — for server timestamps only
// (a registered model made by an older hokus-check, without that tag) — the server's timestamp moved
// by the offset between the server's Date header and this machine's clock. Against the embedded stack
// with MLflow's clock 2 h behind and 2 h ahead (StackOptions.clockSkewMs), and a server of this file's
// own that sends no Date header at all.
import { randomBytes } from 'node:crypto';
import type http from 'node:http';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { runSweep } from '../../src/commands/sweep.js';
import { createFactory } from '../../src/factory.js';
import { startStack, type Stack } from '../../src/sim/stack.js';
import { runInProcess } from '../helpers/in-process.js';
import { readReport } from '../helpers/report.js';
import { fakeIo } from '../helpers/safety-inprocess.js';
import { serveHttp } from '../helpers/safety-servers.js';
import { tempDir } from '../helpers/tmp.js';

const tmp = tempDir();
afterAll(() => tmp.remove());

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const TAG = 'hokus-check.id';
const CREATED = 'hokus-check.created';

interface SweepJson {
  leftovers: Array<{ kind: string; name: string; id: string; deleted?: boolean; ageFrom?: string }>;
  serverClock: { offsetMs: number | null; dateHeaders: number; disagrees: boolean };
  notes: string[];
}

let stack: Stack | undefined;
afterEach(async () => {
  await stack?.close();
  stack = undefined;
});

/** `hokus-check sweep` with the default --older-than (1h), JSON on stdout (the lines for people on stderr). */
async function sweep(s: Stack) {
  const run = await runInProcess(['sweep', '--registry-url', s.registryUrl, '--json', '-'], { env: { HOKUSAI_API_KEY: s.apiKey } });
  return { run, doc: run.code === 2 ? undefined : (JSON.parse(run.stdout) as SweepJson) };
}

describe('sweep against an MLflow whose clock is off', () => {
  it('2 h behind: a check in flight keeps everything it made (and an older version’s fresh model too); an old leftover still goes; the offset is said', async () => {
    stack = await startStack({ clockSkewMs: -2 * HOUR, pendingPolls: 0 });
    // A check that is still running, as far as sweep can tell: it made its run, artifacts and model
    // a moment ago and has not cleaned up (--keep).
    const report = tmp.file('kept.json');
    const check = await runInProcess(['--registry-url', stack.registryUrl, '--auth-url', stack.authUrl, '--keep', '--json', report], {
      env: { HOKUSAI_API_KEY: stack.apiKey },
    });
    expect(check.code, check.all).toBe(0);
    const inFlight = `hokus-check-${readReport(report).targets[0]!.checkId}`;
    // A model an older hokus-check (no hokus-check.created tag) made seconds ago: MLflow stamped it
    // with its own clock, 2 h behind.
    stack.seed.registeredModel({ name: 'hokus-check-0123456789ab', tags: { [TAG]: '0123456789ab' } });
    // A crashed check's model, 3 h old: stamped by the same clock, 2 h behind then as now.
    stack.seed.registeredModel({
      name: 'hokus-check-aaaaaaaaaaa1',
      tags: { [TAG]: 'aaaaaaaaaaa1' },
      creationTimestamp: Date.now() - 2 * HOUR - 3 * HOUR,
    });

    const { run, doc } = await sweep(stack);
    expect(run.code, run.all).toBe(0);
    expect(doc!.leftovers.map((l) => [l.kind, l.name, l.deleted])).toEqual([['registered-model', 'hokus-check-aaaaaaaaaaa1', true]]);
    const inv = stack.inventory();
    expect(inv.registeredModels.map((m) => m.name).sort()).toEqual(['hokus-check-0123456789ab', inFlight].sort());
    expect(inv.runs.filter((r) => r.name === inFlight).map((r) => r.lifecycleStage)).toEqual(['active']);
    expect(inv.artifactFiles.length).toBeGreaterThan(0);
    // Said once, with the offset; and in the JSON.
    expect(run.stderr.split('\n').filter((line) => /clock/.test(line))).toHaveLength(1);
    expect(run.stderr).toMatch(
      /^hokus-check: warning: the MLflow server's clock is 2h behind this machine's \(offset -(7199|7200|7201) s, from its Date header\)/m,
    );
    expect(Math.abs(doc!.serverClock.offsetMs! + 2 * HOUR)).toBeLessThan(5000);
    expect(doc!.serverClock.disagrees).toBe(true);
    expect(doc!.notes.join('\n')).toMatch(/clock is 2h behind/);
  });

  it('2 h ahead: a leftover made 90 min ago is swept (it is no longer "in the future"), a fresh one is not, and the offset is said', async () => {
    stack = await startStack({ clockSkewMs: 2 * HOUR });
    const exp = stack.seed.experiment('hokus-check');
    const at = Date.now() - 90 * MINUTE;
    // A crashed check: its run carries its own clock's time; its model, made by an older hokus-check,
    // only MLflow's creation_timestamp — 2 h ahead.
    const runId = stack.seed.run({
      experimentId: exp,
      name: 'hokus-check-bbbbbbbbbbb1',
      tags: { [TAG]: 'bbbbbbbbbbb1', [CREATED]: String(at) },
      startTime: at,
      artifacts: { 'hokus-check/probe.bin': 'x' },
    });
    stack.seed.registeredModel({
      name: 'hokus-check-bbbbbbbbbbb1',
      tags: { [TAG]: 'bbbbbbbbbbb1' },
      creationTimestamp: at + 2 * HOUR,
      versions: [{ runId, source: `mlflow-artifacts:/${exp}/${runId}/artifacts/hokus-check` }],
    });
    // Made seconds ago (MLflow's clock): a check may be running.
    stack.seed.registeredModel({ name: 'hokus-check-bbbbbbbbbbb2', tags: { [TAG]: 'bbbbbbbbbbb2' } });

    const { run, doc } = await sweep(stack);
    expect(run.code, run.all).toBe(0);
    expect(doc!.leftovers.map((l) => [l.kind, l.name, l.deleted])).toEqual([
      ['run', 'hokus-check-bbbbbbbbbbb1', true],
      ['registered-model', 'hokus-check-bbbbbbbbbbb1', true],
    ]);
    expect(stack.inventory().registeredModels.map((m) => m.name)).toEqual(['hokus-check-bbbbbbbbbbb2']);
    expect(stack.inventory().artifactFiles).toEqual([]);
    expect(run.stderr).toMatch(
      /^hokus-check: warning: the MLflow server's clock is 2h ahead of this machine's \(offset \+(7199|7200|7201) s, from its Date header\)/m,
    );
    expect(Math.abs(doc!.serverClock.offsetMs! - 2 * HOUR)).toBeLessThan(5000);
  });

  it('clocks that agree: nothing is said about them', async () => {
    stack = await startStack();
    const { run, doc } = await sweep(stack);
    expect(run.code, run.all).toBe(0);
    expect(run.stderr).not.toMatch(/clock/);
    expect(Math.abs(doc!.serverClock.offsetMs!)).toBeLessThan(5000);
    expect(doc!.serverClock.disagrees).toBe(false);
  });
});

describe('sweep against an MLflow that sends no Date header', () => {
  it('leaves a model without hokus-check.created alone (its age cannot be told) and says so; a tagged old one goes', async () => {
    const key = `hk_test_${randomBytes(16).toString('hex')}`;
    const old = String(Date.now() - 3 * HOUR);
    const deleted: string[] = [];
    const server = await serveHttp(async (req: http.IncomingMessage, res: http.ServerResponse) => {
      let body = '';
      for await (const c of req) body += String(c);
      const path = new URL(req.url ?? '/', 'http://x').pathname;
      res.sendDate = false;
      res.setHeader('content-type', 'application/json');
      const send = (value: unknown): void => void res.end(JSON.stringify(value));
      if (path.endsWith('/experiments/get-by-name')) return send({ experiment: { experiment_id: '1', name: 'hokus-check' } });
      if (path.endsWith('/registered-models/search')) {
        return send({
          registered_models: [
            // An older hokus-check's model: only the server's timestamp, and no clock to set it against.
            { name: 'hokus-check-eeeeeeeeeee1', tags: [{ key: TAG, value: 'eeeeeeeeeee1' }], creation_timestamp: Number(old) },
            {
              name: 'hokus-check-eeeeeeeeeee2',
              tags: [
                { key: TAG, value: 'eeeeeeeeeee2' },
                { key: CREATED, value: old },
              ],
              creation_timestamp: Number(old),
            },
          ],
        });
      }
      if (path.endsWith('/registered-models/delete')) deleted.push((JSON.parse(body) as { name: string }).name);
      return send({});
    });
    try {
      const out: string[] = [];
      const err: string[] = [];
      const env = { HOKUSAI_API_KEY: key };
      const code = await runSweep(
        { mlflowUrl: server.url, olderThan: '1h', json: '-', env: [] },
        createFactory({ io: fakeIo(out, err, env), env, cwd: tmp.path, version: '0.0.0-test' }),
      );
      expect(code, err.join('')).toBe(0);
      const doc = JSON.parse(out.join('')) as SweepJson;
      expect(doc.leftovers.map((l) => [l.name, l.deleted, l.ageFrom])).toEqual([['hokus-check-eeeeeeeeeee2', true, 'hokus-check.created']]);
      expect(doc.serverClock).toEqual({ offsetMs: null, dateHeaders: 0, disagrees: false });
      expect(err.join('')).toMatch(
        /^hokus-check: warning: registered-model hokus-check-eeeeeeeeeee1 left alone: it has no hokus-check\.created tag and the server sent no Date header, so its age is unknown$/m,
      );
      expect(deleted).toEqual(['hokus-check-eeeeeeeeeee2']);
    } finally {
      await server.close();
    }
  });
});
