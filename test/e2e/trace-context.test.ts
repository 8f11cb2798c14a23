// Finding the request in the servers' logs (README "Finding the request in your logs"): every request
// carries a W3C traceparent with the check's one trace id, which the report records, and the request
// ids an answer carried show on its evidence line and in a fix line in every format. The ids are
// server text: a hostile one is defused, redacted and bounded wherever it is shown.
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { resolveSettings } from '../../src/config/resolve.js';
import { runProbe } from '../../src/exporter/probe.js';
import { ApiKey } from '../../src/http/secret.js';
import type { Report } from '../../src/report/schema.js';
import { runInProcess } from '../helpers/in-process.js';
import { respond, startHostileDeployment } from '../helpers/safety-hostile.js';
import { findLeaks } from '../helpers/safety-leak.js';
import type { Received, TestServer } from '../helpers/safety-servers.js';
import { tempDir } from '../helpers/tmp.js';

const tmp = tempDir();
afterAll(() => tmp.remove());

const key = `hk_test_${randomBytes(16).toString('hex')}`;
const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-01$/;
const isSearch = (r: Received) => r.path.includes('/experiments/search');

/** MLflow failing experiments/search with a 500 whose answer carries `headers`: the root cause cites it. */
function failingSearch(headers: Record<string, string>): Promise<TestServer> {
  const body = JSON.stringify({ error_code: 'INTERNAL_ERROR', message: 'boom' });
  return startHostileDeployment(respond(500, { 'content-type': 'application/json', ...headers }, body), isSearch);
}

interface Outputs {
  code: number | null;
  terminal: string;
  all: string;
  report: Report;
  json: string;
  markdown: string;
  har: string;
  junit: string;
  summary: string;
}

async function check(server: TestServer, name: string, extra: string[] = []): Promise<Outputs> {
  const file = (ext: string) => tmp.file(`${name}.${ext}`);
  const summary = file('summary.md');
  writeFileSync(summary, '');
  const run = await runInProcess(
    [
      ...['--registry-url', server.url, '--auth-url', server.url],
      ...['--json', file('json'), '--markdown', file('md'), '--har', file('har'), '--junit', file('xml'), ...extra],
    ],
    { env: { HOKUSAI_API_KEY: key, GITHUB_STEP_SUMMARY: summary, COLUMNS: '100' } },
  );
  const json = readFileSync(file('json'), 'utf8');
  return {
    code: run.code,
    terminal: run.stdout,
    all: run.all,
    report: JSON.parse(json) as Report,
    json,
    markdown: readFileSync(file('md'), 'utf8'),
    har: readFileSync(file('har'), 'utf8'),
    junit: readFileSync(file('xml'), 'utf8'),
    summary: readFileSync(summary, 'utf8'),
  };
}

/** The terminal's evidence block of the exchange `id`: its lines up to the next exchange or the fix. */
function evidenceBlock(terminal: string, id: string): string {
  const lines = terminal.split('\n');
  const start = lines.findIndex((l) => new RegExp(`^ {4}${id} `).test(l));
  expect(start, terminal).toBeGreaterThanOrEqual(0);
  const end = lines.findIndex((l, i) => i > start && (/^ {4}x\d/.test(l) || /^ {2}\S/.test(l)));
  return lines.slice(start, end < 0 ? undefined : end).join('\n');
}

describe('trace context: one trace id per check, a span id per request', () => {
  it('the trace id in the report is the one the server received in every request’s traceparent; each request has its own span id', async () => {
    const server = await failingSearch({});
    try {
      const out = await check(server, 'trace');
      expect(out.code).toBe(1);
      const target = out.report.targets[0]!;
      expect(target.traceId).toMatch(/^[0-9a-f]{32}$/);

      expect(server.received.length).toBeGreaterThan(1);
      const sent = server.received.map((r) => TRACEPARENT.exec(String(r.headers.traceparent ?? '')));
      expect(sent.every((m) => m !== null)).toBe(true);
      expect(new Set(sent.map((m) => m![1]))).toEqual(new Set([target.traceId]));
      const spans = sent.map((m) => m![2]!);
      expect(new Set(spans).size).toBe(spans.length);

      // Each exchange records the span it sent: the same ones, once each.
      const recorded = target.exchanges.map((x) => x.spanId);
      expect(recorded.every((s) => s !== undefined && /^[0-9a-f]{16}$/.test(s))).toBe(true);
      expect(new Set(recorded)).toEqual(new Set(spans));
      for (const x of target.exchanges) expect(x.request.headers).toContainEqual(['traceparent', `00-${target.traceId}-${x.spanId}-01`]);

      // What the user sees: the trace id beside the check id, in the terminal, Markdown, HAR and JUnit.
      expect(out.terminal.split('\n').slice(0, 3).join(' ')).toContain(`trace ${target.traceId}`);
      expect(out.markdown).toContain(`trace \`${target.traceId}\``);
      const har = JSON.parse(out.har) as { log: { pages: Array<{ _traceId?: string }>; entries: Array<{ _spanId?: string }> } };
      expect(har.log.pages[0]!._traceId).toBe(target.traceId);
      expect(new Set(har.log.entries.map((e) => e._spanId))).toEqual(new Set(spans));
      expect(out.junit).toContain(`<property name="trace-id" value="${target.traceId}"/>`);
    } finally {
      await server.close();
    }
  });

  it('--no-trace-context: no request carries a traceparent, and the report records no trace', async () => {
    const server = await failingSearch({});
    try {
      const out = await check(server, 'no-trace', ['--no-trace-context']);
      expect(out.code).toBe(1);
      expect(server.received.length).toBeGreaterThan(1);
      expect(server.received.filter((r) => r.headers.traceparent !== undefined)).toEqual([]);
      const target = out.report.targets[0]!;
      expect(target.traceId).toBeUndefined();
      expect(target.exchanges.filter((x) => x.spanId !== undefined)).toEqual([]);
      expect(out.terminal).not.toMatch(/trace [0-9a-f]{32}/);
    } finally {
      await server.close();
    }
  });

  it('the exporter’s probe sends the trace of the report it answers from', async () => {
    const server = await failingSearch({});
    try {
      const settings = resolveSettings({ flags: { registryUrl: server.url, authUrl: server.url }, env: {}, cwd: tmp.path });
      const report = await runProbe(
        { settings, key: { key: new ApiKey(key), hadWhitespace: false } },
        { version: '0.0.0', env: {}, budget: { stepsMs: 10_000, totalMs: 20_000 }, stop: new AbortController().signal },
      );
      const traceId = report.targets[0]!.traceId;
      expect(traceId).toMatch(/^[0-9a-f]{32}$/);
      const sent = server.received.map((r) => TRACEPARENT.exec(String(r.headers.traceparent ?? ''))?.[1]);
      expect(sent.length).toBeGreaterThan(1);
      expect(new Set(sent)).toEqual(new Set([traceId]));
    } finally {
      await server.close();
    }
  });

  it('two checks get two trace ids', async () => {
    const server = await failingSearch({});
    try {
      const first = await check(server, 'first');
      const second = await check(server, 'second');
      expect(first.report.targets[0]!.traceId).not.toBe(second.report.targets[0]!.traceId);
    } finally {
      await server.close();
    }
  });
});

describe('request ids the answer carried', () => {
  const requestId = `req-${randomBytes(6).toString('hex')}`;

  it('a response’s x-request-id shows on its evidence line (terminal, Markdown, annotations), in a fix line with the trace id, in JSON and in HAR', async () => {
    const server = await failingSearch({ 'X-Request-Id': requestId, 'X-Envoy-Upstream-Service-Time': '12' });
    try {
      const out = await check(server, 'ids');
      expect(out.code).toBe(1);
      const target = out.report.targets[0]!;
      const root = target.findings.find((f) => f.rootCause)!;
      const search = target.exchanges.find((x) => x.step === 'experiments' && x.response?.status === 500)!;
      expect(root.evidence).toContain(search.id);

      // JSON: per exchange; a duration header of Envoy's is not an id.
      expect(search.requestIds).toEqual([{ header: 'x-request-id', value: requestId }]);
      // Terminal: under the cited request, and the fix says where to look.
      expect(evidenceBlock(out.terminal, search.id)).toMatch(new RegExp(`^ +request ids: x-request-id ${requestId}$`, 'm'));
      const fix = `for request id ${requestId} (x-request-id; trace id ${target.traceId}).`;
      expect(root.fix.at(-1)).toMatch(/^Search the .+ logs for request id /);
      expect(root.fix.at(-1)).toContain(fix);
      expect(out.terminal.replace(/\s+/g, ' ')).toContain(fix);
      // Markdown: the evidence table's row of that request, and the fix.
      const row = out.markdown.split('\n').find((l) => l.startsWith(`| ${search.id} |`));
      expect(row).toContain(`x-request-id \`${requestId}\``);
      expect(out.markdown).toContain(fix);
      // GitHub annotation of the root cause.
      expect(out.summary).toContain(requestId);
      expect(out.terminal).toMatch(
        new RegExp(`^::error title=${root.code}::.*Request ids: ${search.id} x-request-id ${requestId}\\.`, 'm'),
      );
      // HAR: a custom field of the entry.
      const har = JSON.parse(out.har) as { log: { entries: Array<{ _id: string; _requestIds?: unknown }> } };
      expect(har.log.entries.find((e) => e._id === search.id)?._requestIds).toEqual([{ name: 'x-request-id', value: requestId }]);
      // JUnit: in the failure's evidence.
      expect(out.junit).toContain(`request ids: x-request-id ${requestId}`);
    } finally {
      await server.close();
    }
  });

  it('an id a CDN sets is searched in that CDN’s logs', async () => {
    const ray = `8a1b2c3d4e5f6a7b-AMS`;
    const server = await failingSearch({ 'CF-RAY': ray });
    try {
      const out = await check(server, 'cf-ray');
      const root = out.report.targets[0]!.findings.find((f) => f.rootCause)!;
      expect(root.fix).toContain(`Search the Cloudflare logs for request id ${ray} (cf-ray; trace id ${out.report.targets[0]!.traceId}).`);
    } finally {
      await server.close();
    }
  });

  it('a hostile request id (controls, the key, 10 KiB, workflow commands) is defused, redacted and bounded in every output', async () => {
    // A C0 control (ESC, BEL, NUL) in a header ends the answer at the HTTP parser (a protocol error);
    // C1 controls arrive, and so do UTF-8 bytes of a bidi override (read as Latin-1, as HTTP does).
    const bidi = Buffer.from('abc\u202edcba', 'utf8').toString('latin1');
    const evil = `\u009b2J\u0085FAKE ${bidi} ##[error]forged ##[add-mask]e`;
    const server = await failingSearch({
      'X-Request-Id': `${evil} ${key}`,
      'X-Correlation-Id': `::error title=fake::all good ${Buffer.from(key).toString('base64')}`,
      'X-Amzn-Trace-Id': `Root=1-${'a'.repeat(10 * 1024)}`,
    });
    try {
      const out = await check(server, 'hostile');
      expect(out.code).toBe(1);
      const target = out.report.targets[0]!;
      const search = target.exchanges.find((x) => x.step === 'experiments' && x.response?.status === 500)!;
      const ids = search.requestIds ?? [];
      expect(ids.map((r) => r.header)).toEqual(['x-request-id', 'x-correlation-id', 'x-amzn-trace-id']);
      // Bounded: 128 characters at most, the cut said with '…'.
      for (const r of ids) expect([...r.value].length).toBeLessThanOrEqual(128);
      expect(ids[2]!.value).toMatch(/^Root=1-a+…$/);
      // Redacted: the key shows masked; inert: controls shown escaped.
      expect(ids[0]!.value).toContain(`hk_test_…${key.slice(-4)}`);
      expect(ids[0]!.value).toContain('\\x9b2J\\x85FAKE');

      const outputs: Array<[string, string]> = [
        ['terminal and stderr', out.all],
        ['json', out.json],
        ['markdown', out.markdown],
        ['har', out.har],
        ['junit', out.junit],
        ['job summary', out.summary],
      ];
      for (const [name, text] of outputs) {
        expect(findLeaks(text, key), name).toEqual([]);
        expect(text, name).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e]/);
        // Only the check's own annotations are workflow commands; `##[` never survives.
        const commands = text.split(/\r\n|\r|\n/).filter((l) => /^\s*::/.test(l) || l.includes('##['));
        for (const line of commands) expect(line, name).toMatch(/^::(error|warning) title=[^:]*::/);
        expect(text, name).not.toContain('##[');
      }
      // Where the ids are shown (evidence lines, fix lines, annotations), the 10 KiB id is cut.
      for (const text of [out.terminal, out.markdown, out.summary]) expect(text).not.toMatch(/a{200}/);
      // The text is still there to read.
      expect(evidenceBlock(out.terminal, search.id)).toContain('request ids: x-request-id \\x9b2J\\x85FAKE');
    } finally {
      await server.close();
    }
  });
});
