// SIGHUP: a closed SSH session or `kill -HUP` neither kills the exporter nor a probe
// in flight; it reloads the config — re-read and re-validated exactly as at start-up, keys included —
// and on an invalid new config keeps serving the old one and logs one line
// (src/commands/exporter.ts). In-process, SIGHUP is played through the Io's onSignal, as src/io.ts
// delivers it; the binary is tested below.
import { writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type Stack } from '../../src/sim/stack.js';
import {
  eventually,
  parseExposition,
  runExporterInProcess,
  scrape,
  spawnExporter,
  gateRegister,
  untilHeld,
  value,
  type Gate,
} from '../helpers/exporter.js';
import { findLeaks } from '../helpers/safety-leak.js';
import { tempDir } from '../helpers/tmp.js';

const tmp = tempDir();
let first: Stack;
let second: Stack;
let gate: Gate;
let config = '';

beforeAll(async () => {
  [first, second] = await Promise.all([startStack({ pendingPolls: 0 }), startStack({ pendingPolls: 0 })]);
  gate = await gateRegister(first.registryUrl);
  config = tmp.file('hokus-check.config.json');
});
afterAll(async () => {
  gate?.release();
  await Promise.all([gate?.close(), first?.close(), second?.close()]);
  tmp.remove();
});

const env = () => ({ HK_FIRST: first.apiKey, HK_SECOND: second.apiKey });
const environment = (stack: Stack, keyEnv: string, registryUrl = stack.registryUrl) => ({
  registryUrl,
  authUrl: stack.authUrl,
  apiKeyEnv: keyEnv,
  retries: 0,
});

describe('SIGHUP: reload the config', () => {
  it('serves the new config, keeps the old one when the new one is invalid (one log line), and lets a probe in flight finish', async () => {
    writeFileSync(config, JSON.stringify({ environments: { first: environment(first, 'HK_FIRST', gate.url) } }));
    const exporter = runExporterInProcess({ listen: '127.0.0.1:0', config }, env(), tmp.path);
    const url = await exporter.listening();
    const logLines = () => exporter.logs.join('').split('\n').filter(Boolean);
    try {
      // A probe of "first" is in flight: its registered-models/create is held by the gate.
      const inFlight = scrape(`${url}/probe?env=first`, 30);
      await untilHeld(gate, 'the probe of first to reach register');

      // 1. A valid new config with a second environment: served from now on.
      writeFileSync(
        config,
        JSON.stringify({ environments: { first: environment(first, 'HK_FIRST', gate.url), second: environment(second, 'HK_SECOND') } }),
      );
      exporter.hangup();
      await eventually('the reload', () => (logLines().some((l) => l.includes('reloaded')) ? true : undefined));
      expect(logLines().filter((l) => l.includes('reload'))).toEqual([
        `hokus-check exporter: reloaded ${config} (environments: first, second)`,
      ]);
      const served = await scrape(`${url}/probe?env=second`, 30);
      expect(served.status, served.body).toBe(200);
      expect(value(parseExposition(served.body), 'hokus_check_success', { env: 'second' })).toBe(1);

      // 2. Invalid JSON: the previous config stays, one line says why.
      const before = logLines().length;
      writeFileSync(config, '{ "environments": { "second": ');
      exporter.hangup();
      await eventually('the failed reload to be logged', () => (logLines().length > before ? true : undefined));
      expect(logLines().slice(before)).toEqual([
        `hokus-check exporter: reload failed, still serving the previous config: ${config}:1:31: invalid JSON: unexpected end of file, expected a value`,
      ]);
      expect((await scrape(`${url}/probe?env=second`, 30)).status).toBe(200);

      // 3. Valid JSON, but a new environment's key variable is not set: the same, with the line check prints.
      const before2 = logLines().length;
      writeFileSync(
        config,
        JSON.stringify({ environments: { second: environment(second, 'HK_SECOND'), third: environment(second, 'HK_THIRD') } }),
      );
      exporter.hangup();
      await eventually('the second failed reload to be logged', () => (logLines().length > before2 ? true : undefined));
      expect(logLines().slice(before2)).toEqual([
        'hokus-check exporter: reload failed, still serving the previous config: environment "third": no API key: set HK_THIRD (or --api-key-env NAME, or --api-key-stdin)',
      ]);
      expect((await scrape(`${url}/probe?env=third`, 30)).status).toBe(400);
      const landing = (await scrape(`${url}/`)).body;
      expect([landing.includes('env=first'), landing.includes('env=second'), landing.includes('env=third')]).toEqual([true, true, false]);

      // The probe in flight through all three reloads finishes and passes.
      gate.release();
      const answered = await inFlight;
      expect(answered.status, answered.body).toBe(200);
      expect(value(parseExposition(answered.body), 'hokus_check_success', { env: 'first' })).toBe(1);

      const own = parseExposition((await scrape(`${url}/metrics`)).body);
      expect(value(own, 'hokus_check_exporter_config_reloads_total', { result: 'success' })).toBe(1);
      expect(value(own, 'hokus_check_exporter_config_reloads_total', { result: 'failure' })).toBe(2);
      expect(value(own, 'hokus_check_exporter_config_last_reload_successful')).toBe(0);
    } finally {
      gate.release();
      exporter.signal('SIGTERM');
    }
    expect(await exporter.done).toBe(0);
    for (const stack of [first, second]) expect(findLeaks(exporter.logs.join(''), stack.apiKey)).toEqual([]);
  });
});

describe('signals while stopping', () => {
  it('SIGHUP is ignored; a second SIGTERM returns at once with 130', async () => {
    gate.arm();
    writeFileSync(config, JSON.stringify({ environments: { first: environment(first, 'HK_FIRST', gate.url) } }));
    const exporter = runExporterInProcess({ listen: '127.0.0.1:0', config }, env(), tmp.path);
    const url = await exporter.listening();
    const inFlight = scrape(`${url}/probe?env=first`, 30).catch(() => undefined);
    try {
      await untilHeld(gate, 'the probe of first to reach register');
      exporter.signal('SIGTERM');
      exporter.hangup();
      exporter.signal('SIGTERM');
      expect(await exporter.done).toBe(130);
      expect(exporter.logs.join('').split('\n').slice(1)).toEqual([
        'hokus-check exporter: stopping: running checks clean up first',
        'hokus-check exporter: stopped at once: checks still running did not finish their cleanup',
        '',
      ]);
    } finally {
      gate.release();
      await inFlight;
    }
  });
});

// The binary: SIGHUP reaches the command only through the process's handlers (src/io.ts, processIo's
// onSignal, END_SIGNALS); without them Node's default would end the process.
describe('kill -HUP on the binary', () => {
  it('does not end the exporter nor the probe in flight, and reloads', async () => {
    gate.arm();
    writeFileSync(config, JSON.stringify({ environments: { first: environment(first, 'HK_FIRST', gate.url) } }));
    const exporter = await spawnExporter(['--config', config], env());
    try {
      const inFlight = scrape(`${exporter.url}/probe?env=first`, 30);
      await untilHeld(gate, 'the probe of first to reach register');
      exporter.child.kill('SIGHUP');
      await eventually(
        'the reload',
        () => (exporter.stderr().includes('reloaded') ? true : undefined),
        () => exporter.stderr(),
      );
      expect(exporter.child.exitCode).toBeNull();
      gate.release();
      const answered = await inFlight;
      expect(answered.status, answered.body).toBe(200);
      expect(value(parseExposition(answered.body), 'hokus_check_success', { env: 'first' })).toBe(1);
      exporter.child.kill('SIGTERM');
      expect((await exporter.exited).code).toBe(0);
    } finally {
      gate.release();
      exporter.child.kill('SIGKILL');
    }
  });
});
