// Single-flight poisoning. A client that scrapes /probe?env=prod in a loop with
// X-Prometheus-Scrape-Timeout-Seconds: 0.3 — a second Prometheus with a short scrape_timeout, by
// accident, or anyone who reaches the port — must not make a real scrape share its 0.3 s check:
// a scrape joins only a check run with its own budget (src/exporter/server.ts, flightKey), so the
// real scrape of a healthy stack answers hokus_check_success 1, not a DEADLINE_EXCEEDED that pages.
import { writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type Stack } from '../../src/sim/stack.js';
import {
  eventually,
  parseExposition,
  runExporterInProcess,
  scrape,
  gateRegister,
  untilHeld,
  value,
  type Gate,
  type InProcessExporter,
} from '../helpers/exporter.js';
import { tempDir } from '../helpers/tmp.js';

const tmp = tempDir();
let stack: Stack;
let held: Stack;
let gate: Gate;
let exporter: InProcessExporter;
let url = '';

beforeAll(async () => {
  // Healthy, and a check of it takes longer than 0.3 s: registration stays PENDING for 4 polls.
  [stack, held] = await Promise.all([startStack({ pendingPolls: 4 }), startStack({ pendingPolls: 0 })]);
  // "staging": its registration is held by the gate until the test lets it through.
  gate = await gateRegister(held.registryUrl);
  const config = tmp.file('hokus-check.config.json');
  writeFileSync(
    config,
    JSON.stringify({
      environments: {
        prod: { registryUrl: stack.registryUrl, authUrl: stack.authUrl, apiKeyEnv: 'HK_PROD', retries: 0 },
        staging: { registryUrl: gate.url, authUrl: held.authUrl, apiKeyEnv: 'HK_STAGING', retries: 0 },
      },
    }),
  );
  exporter = runExporterInProcess({ listen: '127.0.0.1:0', config }, { HK_PROD: stack.apiKey, HK_STAGING: held.apiKey }, tmp.path);
  url = await exporter.listening();
});
afterAll(async () => {
  exporter?.signal('SIGTERM');
  await exporter?.done;
  gate?.release();
  await Promise.all([stack?.close(), held?.close(), gate?.close()]);
  tmp.remove();
});

describe('a client scraping with a 0.3 s timeout in a loop', () => {
  it('does not make a real scrape (30 s timeout) share its check: the real scrape passes against a healthy stack', async () => {
    let looping = true;
    const poisoned: Array<{ status: number; success?: number }> = [];
    const loop = (async () => {
      while (looping) {
        // A failed fetch (status 0) does not end the loop: the next scrape follows at once.
        const { status, body } = await scrape(`${url}/probe?env=prod`, 0.3).catch(() => ({ status: 0, body: '' }));
        poisoned.push({
          status,
          ...(status === 200 ? { success: value(parseExposition(body), 'hokus_check_success', { env: 'prod' }) } : {}),
        });
      }
    })();
    const inFlight = async () => value(parseExposition((await scrape(`${url}/metrics`)).body), 'hokus_check_exporter_probes_in_flight');
    try {
      const real: Array<{ status: number; body: string }> = [];
      for (let i = 0; i < 3; i++) {
        // Scrape while a 0.3 s check is running: the moment a joining scrape would inherit it.
        await eventually('a 0.3 s check to be running', async () => ((await inFlight()) >= 1 ? true : undefined));
        real.push(await scrape(`${url}/probe?env=prod`, 30));
      }
      for (const { status, body } of real) {
        expect(status, body).toBe(200);
        const series = parseExposition(body);
        expect(value(series, 'hokus_check_success', { env: 'prod' }), body).toBe(1);
        expect(series.filter((s) => s.name === 'hokus_check_finding').map((s) => s.labels.code)).toEqual([]);
      }
    } finally {
      looping = false;
      await loop;
    }
    // The loop did run short checks, and they failed on their own budget (not the real scrapes').
    expect(
      poisoned.some((p) => p.status === 200 && p.success === 0),
      JSON.stringify(poisoned),
    ).toBe(true);
  });
});

describe('a scrape with a shorter timeout than a running check', () => {
  it('does not wait on it: it gets a check of its own, answered within its own timeout', async () => {
    const own = async () => parseExposition((await scrape(`${url}/metrics`)).body);
    const sharedBefore = value(await own(), 'hokus_check_exporter_scrapes_total', { env: 'staging', shared: 'true' });
    gate.arm();
    const long = scrape(`${url}/probe?env=staging`, 30);
    await untilHeld(gate, 'the 30 s check to reach register');
    // Joining the 30 s check would leave this scrape a 503 (up == 0) when its 2 s end; its own check
    // answers what it found within them.
    const short = await scrape(`${url}/probe?env=staging`, 2);
    expect(short.status, short.body).toBe(200);
    expect(value(parseExposition(short.body), 'hokus_check_success', { env: 'staging' })).toBe(0);
    gate.release();
    const answered = await long;
    expect(answered.status, answered.body).toBe(200);
    expect(value(parseExposition(answered.body), 'hokus_check_success', { env: 'staging' })).toBe(1);
    expect(value(await own(), 'hokus_check_exporter_scrapes_total', { env: 'staging', shared: 'true' })).toBe(sharedBefore);
  });
});
