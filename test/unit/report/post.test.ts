import { createServer } from 'node:http';
import type { IncomingHttpHeaders, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createHttp } from '../../../src/http/client.js';
import { postReportBundle } from '../../../src/report/post.js';
import { ReportSchema } from '../../../src/report/schema.js';
import { parseHar } from '../../helpers/har.js';
import { RAW_KEY, fixtureReport } from './fixture.js';

interface Received {
  headers: IncomingHttpHeaders;
  body: Buffer;
  method: string;
}

let server: Server | undefined;
afterEach(async () => {
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = undefined;
});

/** A collector on loopback that records what it got and answers with `status`. */
async function collector(status = 201, extra: Record<string, string> = {}): Promise<{ url: string; received: Received[] }> {
  const received: Received[] = [];
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ headers: req.headers, body: Buffer.concat(chunks), method: req.method ?? '' });
      res.writeHead(status, { 'content-type': 'application/json', ...extra }).end('{"ok":true}');
    });
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/reports`, received };
}

interface Part {
  name: string;
  filename: string;
  contentType: string;
  body: string;
}

/** Splits a multipart/form-data body (RFC 7578) into its parts. */
function parseMultipart(contentType: string, body: Buffer): Part[] {
  const boundary = /boundary=(?:"([^"]+)"|([^;]+))/.exec(contentType);
  const delimiter = `--${boundary?.[1] ?? boundary?.[2]}`;
  const text = body.toString('utf8');
  expect(text.trimEnd().endsWith(`${delimiter}--`)).toBe(true);
  return text
    .split(delimiter)
    .slice(1, -1)
    .map((chunk) => {
      const raw = chunk.replace(/^\r\n/, '').replace(/\r\n$/, '');
      const split = raw.indexOf('\r\n\r\n');
      const head = raw.slice(0, split);
      const headers = Object.fromEntries(
        head.split('\r\n').map((l) => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 1).trim()]),
      );
      const disposition = headers['content-disposition'] ?? '';
      return {
        name: /\bname="([^"]*)"/.exec(disposition)?.[1] ?? '',
        filename: /filename="([^"]*)"/.exec(disposition)?.[1] ?? '',
        contentType: headers['content-type'] ?? '',
        body: raw.slice(split + 4),
      };
    });
}

/** A client as the session builds one for the collector: no key, no retries. */
const client = (timeoutMs: number, signal: AbortSignal) =>
  createHttp({ keyOrigins: [], timeoutMs, connectTimeoutMs: timeoutMs, retries: 0, signal });
const opts = () => ({ http: client(2000, new AbortController().signal), timeoutMs: 2000 });

describe('postReportBundle', () => {
  it('posts report.json, report.md and report.har as multipart/form-data, without any Authorization', async () => {
    const { url, received } = await collector(201);
    const report = fixtureReport();
    expect(await postReportBundle(url, report, opts())).toMatchObject({ status: 201 });
    expect(received).toHaveLength(1);
    const [req] = received;
    expect(req!.method).toBe('POST');
    expect(req!.headers.authorization).toBeUndefined();
    expect(req!.headers['x-api-key']).toBeUndefined();
    expect(req!.headers['content-type']).toMatch(/^multipart\/form-data; boundary=/);
    expect(Number(req!.headers['content-length'])).toBe(req!.body.length);
    const parts = parseMultipart(req!.headers['content-type']!, req!.body);
    expect(parts.map((p) => [p.name, p.filename, p.contentType])).toEqual([
      ['report.json', 'report.json', 'application/json'],
      ['report.md', 'report.md', 'text/markdown; charset=utf-8'],
      ['report.har', 'report.har', 'application/json'],
    ]);
    expect(ReportSchema.parse(JSON.parse(parts[0]!.body))).toEqual(report);
    expect(parts[1]!.body).toMatch(/^# hokus-check: FAIL — staging, prod/);
    expect(parseHar(parts[2]!.body).log.version).toBe('1.2');
    expect(req!.body.toString()).not.toContain(RAW_KEY);
  });

  it('does not follow a redirect, and says so in one line', async () => {
    const { url, received } = await collector(302, { location: 'http://127.0.0.1:1/elsewhere' });
    const err = await postReportBundle(url, fixtureReport(), opts()).catch((e: Error) => e);
    expect((err as Error).message).toBe(`the report collector at ${url} answered 302 (redirects are not followed)`);
    expect(received).toHaveLength(1);
  });

  it('fails with one line on a 5xx, without echoing the query string', async () => {
    const { url } = await collector(503);
    const err = await postReportBundle(`${url}?token=secret-ish`, fixtureReport(), opts()).catch((e: Error) => e);
    expect((err as Error).message).toBe(`the report collector at ${url} answered 503`);
  });

  it('fails with one line when nothing listens', async () => {
    const { url } = await collector();
    await new Promise<void>((resolve) => server!.close(() => resolve()));
    server = undefined;
    const err = await postReportBundle(url, fixtureReport(), opts()).catch((e: Error) => e);
    expect((err as Error).message).toMatch(new RegExp(`^cannot post the report to ${url.replace(/[/.?]/g, '\\$&')}: .*ECONNREFUSED`));
    expect((err as Error).message).not.toContain('\n');
  });

  it('gives up when the caller aborts', async () => {
    server = createServer(() => {}); // never answers
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 50);
    const err = await postReportBundle(url, fixtureReport(), { http: client(5000, ac.signal), timeoutMs: 5000 }).catch((e: Error) => e);
    expect((err as Error).message).toBe(`cannot post the report to ${url}: aborted`);
    server.closeAllConnections();
  });

  it('times out on a collector that does not answer', async () => {
    server = createServer(() => {});
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    const err = await postReportBundle(url, fixtureReport(), { http: client(100, new AbortController().signal), timeoutMs: 100 }).catch(
      (e: Error) => e,
    );
    expect((err as Error).message).toBe(`cannot post the report to ${url}: no answer within 100 ms`);
    server.closeAllConnections();
  });

  it('refuses a URL with credentials in it', async () => {
    await expect(postReportBundle('https://user:pw@127.0.0.1/x', fixtureReport(), opts())).rejects.toThrow(
      'cannot post the report: the URL must not contain credentials',
    );
  });
});
