// Hostile responses: whatever a broken deployment sends back, the check ends with `fail` or `error`
// and a finding — never a crash, a stack trace, or a hang past its deadline. `error` only when
// nothing of the target answered at all (every path hostile, no status line ever came).
import { afterAll, describe, expect, it } from 'vitest';
import { generateTestKey } from '../../src/sim/stack.js';
import { runInProcess } from '../helpers/in-process.js';
import { readReport } from '../helpers/report.js';
import { head, respond, startHostileDeployment, type Answer } from '../helpers/safety-hostile.js';
import { findLeaks } from '../helpers/safety-leak.js';
import type { Received } from '../helpers/safety-servers.js';
import { tempDir } from '../helpers/tmp.js';

const tmp = tempDir();
afterAll(() => tmp.remove());

const MiB = 1024 * 1024;
const JSON_TYPE = { 'content-type': 'application/json' };

interface HostileClass {
  name: string;
  answer: Answer;
  /** 'fail': a usable (if wrong) answer; 'error': no usable answer — the step ends so when nothing else answered. */
  status: 'fail' | 'error';
  /** For 'error': the status line and headers did arrive (the body then failed): the target answered. */
  headersArrived?: boolean;
  /** What the step's detail (matrix line) says. */
  detail: RegExp;
  /**
   * The finding on that step when only experiments/search is hostile. Undefined: some finding, but
   * the code is not asserted (a reset mid-body surfaces as a reset or as a content-length mismatch,
   * depending on which the HTTP parser sees first).
   */
  finding?: string;
  /**
   * --timeout for the run: only the classes that end by a timeout get a short one ('1s'); the others
   * get far more than any loaded machine needs, so their outcome never depends on its speed.
   */
  timeout?: string;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const CLASSES: HostileClass[] = [
  {
    name: 'invalid UTF-8 (binary bytes)',
    answer: respond(200, JSON_TYPE, Buffer.from([0xff, 0xfe, 0xfd, 0x00, 0xc3, 0x28, 0xa0, 0xa1, 0xe2, 0x28, 0xa1])),
    status: 'fail',
    detail: /200 but not JSON/,
    finding: 'RESPONSE_NOT_JSON',
  },
  {
    name: 'JSON with invalid UTF-8 inside a string',
    answer: respond(
      200,
      JSON_TYPE,
      Buffer.concat([Buffer.from('{"experiments": [], "note": "'), Buffer.from([0xff, 0xfe, 0xc3]), Buffer.from('"}')]),
    ),
    status: 'fail',
    detail: /200 but not JSON/,
    finding: 'UNEXPECTED_RESPONSE',
  },
  {
    name: 'truncated JSON',
    answer: respond(200, JSON_TYPE, '{"experiments": [{"experiment_id": "0", "na'),
    status: 'fail',
    detail: /200 but not JSON/,
    finding: 'RESPONSE_NOT_JSON',
  },
  {
    name: 'JSON of the wrong shape',
    answer: respond(200, JSON_TYPE, '{"experiments": "nope"}'),
    status: 'fail',
    detail: /schema: experiments: .*expected array/,
    finding: 'RESPONSE_SCHEMA',
  },
  {
    name: 'an HTML page',
    answer: respond(
      200,
      { 'content-type': 'text/html; charset=utf-8' },
      '<!doctype html><html><head><title>MLflow</title></head><body><div id="root"></div></body></html>',
    ),
    status: 'fail',
    detail: /200 but not JSON \(text\/html/,
    finding: 'RESPONSE_NOT_JSON',
  },
  {
    name: 'an empty body',
    answer: respond(200, JSON_TYPE, ''),
    status: 'fail',
    detail: /200 but not JSON/,
    finding: 'RESPONSE_NOT_JSON',
  },
  {
    name: 'huge headers (100 KiB)',
    answer: (socket) => {
      const filler: Record<string, string> = {};
      for (let i = 0; i < 100; i++) filler[`x-filler-${i}`] = 'f'.repeat(1024);
      socket.end(Buffer.concat([head(200, { ...JSON_TYPE, ...filler, 'content-length': '2' }), Buffer.from('{}')]));
    },
    status: 'error',
    detail: /protocol: .*Headers Overflow/,
    finding: 'RESPONSE_MALFORMED',
  },
  {
    name: 'slow drip (1 byte / 200 ms, --timeout 1s)',
    answer: async (socket) => {
      const body = '{"experiments": []}'.padEnd(200, ' ');
      socket.write(head(200, { ...JSON_TYPE, 'content-length': String(body.length) }));
      for (const ch of body) {
        if (socket.destroyed) return;
        socket.write(ch);
        await sleep(200);
      }
      socket.end();
    },
    timeout: '1s',
    status: 'error',
    headersArrived: true,
    detail: /timeout: .*no complete response within 2000 ms/,
    finding: 'NET_TIMEOUT',
  },
  {
    name: 'headers that never come',
    answer: () => undefined,
    timeout: '1s',
    status: 'error',
    detail: /timeout: .*no response headers within 1000 ms/,
    finding: 'NET_TIMEOUT',
  },
  {
    name: 'reset mid-body',
    answer: (socket) => {
      socket.write(
        Buffer.concat([head(200, { ...JSON_TYPE, 'content-length': '1000' }), Buffer.from('{"experiments": [{"experiment_id"')]),
      );
      setTimeout(() => socket.resetAndDestroy(), 20);
    },
    status: 'error',
    headersArrived: true,
    detail: /cut: .*(closed|reset) the connection \d+ ms after the request was sent, \d+ of 1000 body bytes received/,
    finding: 'NET_TRANSFER_CUT',
  },
  {
    name: 'connection closed before any answer',
    answer: (socket) => void socket.end(),
    status: 'error',
    detail: /reset: .*other side closed/,
    finding: 'NET_RESET',
  },
  {
    name: 'content-length longer than the body',
    answer: (socket) =>
      void socket.end(Buffer.concat([head(200, { ...JSON_TYPE, 'content-length': '500' }), Buffer.from('{"experiments": []}')])),
    status: 'error',
    headersArrived: true,
    detail: /cut: .*closed the connection \d+ ms after the request was sent, 19 of 500 body bytes received/,
    finding: 'NET_TRANSFER_CUT',
  },
  {
    name: 'content-length shorter than the body',
    answer: (socket) =>
      void socket.end(Buffer.concat([head(200, { ...JSON_TYPE, 'content-length': '5' }), Buffer.from('{"experiments": []}')])),
    status: 'fail',
    detail: /200 but not JSON/,
    finding: 'RESPONSE_NOT_JSON',
  },
  {
    name: 'a 3 MiB body (cap 1 MiB)',
    answer: respond(200, JSON_TYPE, `{"experiments": [], "pad": "${'x'.repeat(3 * MiB)}"}`),
    status: 'fail',
    detail: /body over the size cap/,
    finding: 'RESPONSE_MALFORMED',
  },
  {
    name: 'an endless chunked body',
    answer: async (socket) => {
      socket.write(head(200, { ...JSON_TYPE, 'transfer-encoding': 'chunked' }));
      const chunk = Buffer.from(`10000\r\n${'y'.repeat(0x10000)}\r\n`);
      while (!socket.destroyed) {
        if (!socket.write(chunk)) await new Promise((r) => socket.once('drain', r).once('close', r));
      }
    },
    status: 'fail',
    detail: /body over the size cap/,
    finding: 'RESPONSE_MALFORMED',
  },
];

const WHERE: Array<[string, (r: Received) => boolean]> = [
  ['on experiments/search', (r) => r.path.includes('/experiments/search')],
  ['on every path', () => true],
];

describe.concurrent.each(WHERE)('hostile answers %s', (where, on) => {
  for (const c of CLASSES) {
    it(`${c.name}: ${c.status === 'fail' ? 'a wrong answer' : 'no usable answer'} with a finding, no crash, no hang`, async () => {
      const server = await startHostileDeployment(c.answer, on);
      try {
        const key = generateTestKey();
        const json = tmp.file(`${where}-${c.name}.json`.replace(/[^\w.-]+/g, '_'));
        const run = await runInProcess(
          [
            '--registry-url',
            server.url,
            '--auth-url',
            server.url,
            '--timeout',
            c.timeout ?? '30s',
            '--retries',
            '0',
            '--deadline',
            '60s',
            '--json',
            json,
          ],
          {
            env: { HOKUSAI_API_KEY: key },
          },
        );

        expect([1, 3], run.all).toContain(run.code);
        expect(run.all).not.toMatch(/\n\s+at .+:\d+:\d+/); // no stack trace
        expect(run.all).not.toMatch(/internal error/);
        // Never a hang: the run returned (within the test's timeout) with a report.
        expect(findLeaks(run.all, key)).toEqual([]);

        const report = readReport(json);
        const target = report.targets[0]!;
        // The step that met the hostile answer first: experiments, or auth when every path is hostile.
        const step = target.steps.find((s) => s.rootCause)!;
        expect(step.id).toBe(where === 'on every path' ? 'auth' : 'experiments');
        // `error` only when nothing of the target answered: here auth and health did, or a status line came.
        const answered = c.status === 'fail' || where === 'on experiments/search' || c.headersArrived === true;
        expect(step.status, step.detail).toBe(answered ? 'fail' : 'error');
        expect(run.code).toBe(answered ? 1 : 3);
        // Auth reads a broken 200 as "is_valid is not true"; transport failures read the same everywhere.
        expect(step.detail).toMatch(where === 'on every path' && c.status === 'fail' ? /200 but is_valid is not true/ : c.detail);
        const codes = target.findings.filter((f) => f.step === step.id).map((f) => f.code);
        expect(codes.length, `${c.name}: no finding on ${step.id}`).toBeGreaterThan(0);
        if (where === 'on experiments/search' && c.finding) expect(codes, `${c.name}: ${step.detail}`).toContain(c.finding);
        for (const code of codes) expect(run.stdout).toContain(code);
      } finally {
        await server.close();
      }
    });
  }
});
