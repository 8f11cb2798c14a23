// The key never reaches any output: every fault of the embedded stack, every output format at once
// (terminal, --verbose, JSON, JUnit, Markdown, HAR, GitHub step summary), grepped for the key in
// every form it could take (safety-leak.ts).
import { existsSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { FAULTS, type FaultName } from '../../src/sim/faults.js';
import { generateTestKey, startStack } from '../../src/sim/stack.js';
import { stackArgs, type CliRun } from '../helpers/cli.js';
import { everyOutput } from '../helpers/every-output.js';
import { runInProcess } from '../helpers/in-process.js';
import { readReport } from '../helpers/report.js';
import { head, respond, startHostileDeployment, type Answer } from '../helpers/safety-hostile.js';
import { findLeaks } from '../helpers/safety-leak.js';
import type { Received } from '../helpers/safety-servers.js';
import { tempDir } from '../helpers/tmp.js';

const tmp = tempDir();
afterAll(() => tmp.remove());

const FORMATS = ['stdout', 'stderr (--verbose)', 'json', 'junit', 'markdown', 'har', 'GITHUB_STEP_SUMMARY'] as const;
const SCENARIOS: Array<FaultName | 'healthy'> = ['healthy', ...(Object.keys(FAULTS) as FaultName[])];
const POOL = 4;

interface Outcome {
  scenario: string;
  key: string;
  run: CliRun;
  /** Output channel → its text. */
  outputs: Map<string, string>;
}

/** One CLI run against a fresh stack with this fault, every output format requested. */
async function runScenario(scenario: FaultName | 'healthy'): Promise<Outcome> {
  const stack = await startStack({ faults: scenario === 'healthy' ? [] : [scenario], slowMs: 200, unhealthyForMs: 300 });
  try {
    const every = everyOutput((ext) => tmp.file(`${scenario}.${ext}`));
    const run = await runInProcess(
      [...stackArgs(stack), '--mlflow-direct-url', stack.mlflowUrl, '--register-wait', '1s', '--timeout', '3s', ...every.args],
      { env: { HOKUSAI_API_KEY: stack.apiKey, ...every.env } },
    );
    const written = every.read();
    const outputs = new Map<string, string>([
      ['stdout', run.stdout],
      ['stderr (--verbose)', run.stderr],
      ['json', written.json],
      ['junit', written.junit],
      ['markdown', written.markdown],
      ['har', written.har],
      ['GITHUB_STEP_SUMMARY', written.summary],
    ]);
    // Every format was written, and the report is the real thing (not an empty file).
    readReport(every.path.json);
    return { scenario, key: stack.apiKey, run, outputs };
  } finally {
    await stack.close();
  }
}

/** Runs `work` over `items`, at most `size` at a time (a slow scenario does not hold up a batch). */
async function inPool<T, R>(items: readonly T[], size: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await work(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(size, items.length) }, worker));
  return out;
}

describe('the key never appears in any output', () => {
  it(`${SCENARIOS.length} scenarios × ${FORMATS.length} outputs = ${SCENARIOS.length * FORMATS.length} combinations, echo-key included: zero hits`, async () => {
    const hits: string[] = [];
    let covered = 0;
    const outcomes = await inPool(SCENARIOS, POOL, runScenario);
    for (const o of outcomes) {
      expect([0, 1, 3], `${o.scenario}: ${o.run.all}`).toContain(o.run.code);
      expect(o.run.all, o.scenario).not.toMatch(/\n\s+at .+:\d+:\d+/); // no stack trace
      for (const format of FORMATS) {
        const text = o.outputs.get(format);
        expect(text, `${o.scenario} ${format}`).toBeTruthy();
        covered++;
        for (const leak of findLeaks(text!, o.key)) hits.push(`${o.scenario} / ${format}: ${leak.form}: …${leak.context}…`);
      }
    }
    expect(covered).toBe(SCENARIOS.length * FORMATS.length);
    expect(hits, hits.join('\n')).toEqual([]);
  }, 120_000);

  it('echo-key: the echoed header and body are in the evidence, masked', async () => {
    const o = await runScenario('echo-key');
    expect(o.run.code, o.run.all).toBe(1);
    const har = o.outputs.get('har')!;
    // The server did echo it (so the test can fail): the header is there, with the masked key.
    expect(har).toMatch(/x-echo-authorization/);
    expect(har).toContain(`hk_test_…${o.key.slice(-4)}`);
    expect(findLeaks(o.run.all + [...o.outputs.values()].join('\n'), o.key)).toEqual([]);
  });
});

describe('the key in a URL', () => {
  const placements: Array<[string, (key: string) => string[]]> = [
    ['as api_key= in --registry-url', (key) => ['--registry-url', `http://127.0.0.1:9/?api_key=${key}`]],
    ['as a path segment of --auth-url', (key) => ['--registry-url', 'http://127.0.0.1:9', '--auth-url', `http://127.0.0.1:9/${key}`]],
    [
      'as the password of --mlflow-direct-url',
      (key) => ['--registry-url', 'http://127.0.0.1:9', '--mlflow-direct-url', `http://u:${key}@127.0.0.1:9`],
    ],
  ];
  for (const [where, args] of placements) {
    // Refused before commander parses argv (src/argv-guard.ts); the config file and env vars get the
    // same refusal from config validation (test/unit/config).
    it(`is refused without echoing it: ${where}`, async () => {
      const key = generateTestKey();
      const json = tmp.file('url-key.json');
      const run = await runInProcess([...args(key), '--verbose', '--json', json, '--retries', '0'], { env: { HOKUSAI_API_KEY: key } });
      expect(run.code, run.all).toBe(2);
      expect(run.stderr).toMatch(/^hokus-check: an argument holds an API key \(not shown\)/);
      expect(existsSync(json)).toBe(false);
      expect(findLeaks(run.all, key)).toEqual([]);
    });
  }
});

/** The key the client sent, read from the request it sent. */
const sentKey = (headers: Received['headers']) => /^Bearer (.*)$/.exec(headers.authorization ?? '')?.[1] ?? '';

describe.concurrent('a server that echoes the key where a redactor could miss it', () => {
  const echoes: Array<[string, Answer]> = [
    [
      'base64 of the key as a cookie name',
      (socket, req) => respond(500, { 'set-cookie': `${Buffer.from(sentKey(req.headers)).toString('base64')}; Path=/` }, '{}')(socket, req),
    ],
    [
      'Basic base64(user:key) in WWW-Authenticate',
      (socket, req) =>
        respond(401, { 'www-authenticate': `Basic ${Buffer.from(`user:${sentKey(req.headers)}`).toString('base64')}` }, '{}')(socket, req),
    ],
    [
      'the key URL-encoded in a redirect Location',
      (socket, req) =>
        respond(302, { location: `http://127.0.0.1:1/cb?token=${encodeURIComponent(sentKey(req.headers))}` }, '')(socket, req),
    ],
    [
      'a body whose content-length cuts it mid-key',
      (socket, req) => {
        const body = `{"detail": "bad key ${sentKey(req.headers)}"}`;
        socket.end(
          Buffer.concat([
            head(500, { 'content-type': 'application/json', 'content-length': String(body.indexOf('hk_') + 20) }),
            Buffer.from(body),
          ]),
        );
      },
    ],
    [
      'a connection reset mid-key',
      (socket, req) => {
        socket.write(
          Buffer.concat([
            head(200, { 'content-type': 'application/json', 'content-length': '500' }),
            Buffer.from(`{"detail": "${sentKey(req.headers).slice(0, 24)}`),
          ]),
        );
        setTimeout(() => socket.resetAndDestroy(), 20);
      },
    ],
    [
      'the key straddling the 1 MiB body cap',
      (socket, req) => {
        const pad = '{"experiments": [], "pad": "'.padEnd(1024 * 1024 - 20, 'x');
        return respond(200, { 'content-type': 'application/json' }, `${pad}${sentKey(req.headers)}"}`)(socket, req);
      },
    ],
  ];
  for (const [what, answer] of echoes) {
    it(`${what}: every output is clean`, async () => {
      const server = await startHostileDeployment(answer);
      try {
        const key = generateTestKey();
        const every = everyOutput((ext) => tmp.file(`echo-${what.replace(/\W+/g, '-')}.${ext}`));
        const run = await runInProcess(
          ['--registry-url', server.url, '--auth-url', server.url, '--retries', '0', '--timeout', '1s', ...every.args],
          { env: { HOKUSAI_API_KEY: key, ...every.env } },
        );
        expect([1, 3], run.all).toContain(run.code);
        const written = Object.values(every.read());
        // The server did see the key (so the echo was real).
        expect(server.received.some((r) => r.headers.authorization === `Bearer ${key}`)).toBe(true);
        expect(findLeaks([run.all, ...written].join('\n'), key)).toEqual([]);
      } finally {
        await server.close();
      }
    });
  }
});
