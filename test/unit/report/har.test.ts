import { describe, expect, it } from 'vitest';
import { renderHar } from '../../../src/report/har.js';
import { parseHar, type Har, type HarPhase } from '../../helpers/har.js';
import { FLASK_404, RAW_KEY, fixtureReport } from './fixture.js';

const PHASES: readonly HarPhase[] = ['blocked', 'dns', 'connect', 'ssl', 'send', 'wait', 'receive'];

function har(): Har {
  return parseHar(renderHar(fixtureReport()));
}

/** The checks Chrome devtools' HAR importer (HARFormat.ts) makes before it shows a file. */
function chromeImportProblems(root: Har): string[] {
  const problems: string[] = [];
  const object = (v: unknown, where: string) => {
    if (!v || typeof v !== 'object') problems.push(`${where} is not an object`);
  };
  const date = (v: unknown, where: string) => {
    if (Number.isNaN(new Date(v as string).getTime())) problems.push(`${where} is not a date`);
  };
  const num = (v: unknown, where: string) => {
    if (Number.isNaN(Number(v)) || v === undefined) problems.push(`${where} is not a number`);
  };
  object(root.log, 'log');
  object(root.log.creator, 'log.creator');
  if (!Array.isArray(root.log.entries)) problems.push('log.entries is not an array');
  root.log.pages.forEach((p, i) => {
    object(p, `pages[${i}]`);
    date(p.startedDateTime, `pages[${i}].startedDateTime`);
    object(p.pageTimings, `pages[${i}].pageTimings`);
  });
  root.log.entries.forEach((e, i) => {
    const at = `entries[${i}]`;
    date(e.startedDateTime, `${at}.startedDateTime`);
    num(e.time, `${at}.time`);
    for (const part of ['request', 'response', 'timings'] as const) object(e[part], `${at}.${part}`);
    num(e.request.headersSize, `${at}.request.headersSize`);
    num(e.request.bodySize, `${at}.request.bodySize`);
    num(e.response.status, `${at}.response.status`);
    num(e.response.headersSize, `${at}.response.headersSize`);
    num(e.response.bodySize, `${at}.response.bodySize`);
    object(e.response.content, `${at}.response.content`);
    num(e.response.content.size, `${at}.response.content.size`);
    for (const t of ['send', 'wait', 'receive'] as const) num(e.timings[t], `${at}.timings.${t}`);
    if (e.request.postData) object(e.request.postData, `${at}.request.postData`);
  });
  return problems;
}

describe('HAR export', () => {
  it('is HAR 1.2 JSON from hokus-check, one page per target', () => {
    const { log } = har();
    expect(log.version).toBe('1.2');
    expect(log.creator).toEqual({ name: 'hokus-check', version: '0.1.0' });
    expect(log.pages.map((p) => p.id)).toEqual(['staging', 'prod']);
    for (const p of log.pages)
      expect(p).toMatchObject({ startedDateTime: expect.any(String) as unknown, title: expect.any(String) as unknown, pageTimings: {} });
  });

  it('has one entry per exchange, in order, each pointing at its target', () => {
    const report = fixtureReport();
    const { log } = har();
    const exchanges = report.targets.flatMap((t) => t.exchanges.map((x) => [t.name, x] as const));
    expect(log.entries).toHaveLength(exchanges.length);
    log.entries.forEach((e, i) => {
      const [target, x] = exchanges[i]!;
      expect(e.pageref).toBe(target);
      expect(e._id).toBe(x.id);
      expect(e._step).toBe(x.step);
      expect(e.request.method).toBe(x.request.method);
      expect(e.request.url).toBe(x.request.url);
      expect(e.startedDateTime).toBe(x.startedAt);
    });
  });

  it('carries every field HAR 1.2 requires', () => {
    for (const e of har().log.entries) {
      expect(Object.keys(e)).toEqual(expect.arrayContaining(['startedDateTime', 'time', 'request', 'response', 'cache', 'timings']));
      expect(Object.keys(e.request)).toEqual(
        expect.arrayContaining(['method', 'url', 'httpVersion', 'cookies', 'headers', 'queryString', 'headersSize', 'bodySize']),
      );
      expect(Object.keys(e.response)).toEqual(
        expect.arrayContaining([
          'status',
          'statusText',
          'httpVersion',
          'cookies',
          'headers',
          'content',
          'redirectURL',
          'headersSize',
          'bodySize',
        ]),
      );
      expect(Object.keys(e.response.content)).toEqual(expect.arrayContaining(['size', 'mimeType']));
      for (const h of [...e.request.headers, ...e.response.headers])
        expect(h).toEqual({ name: expect.any(String) as unknown, value: expect.any(String) as unknown });
      expect(e.request.cookies).toEqual([]);
      expect(e.request.headersSize).toBe(-1);
    }
  });

  it('has valid timings: -1 only where allowed, and time = the sum of the measured phases', () => {
    for (const e of har().log.entries) {
      for (const p of PHASES) expect(typeof e.timings[p]).toBe('number');
      for (const p of ['send', 'wait', 'receive'] as const) expect(e.timings[p]).toBeGreaterThanOrEqual(0);
      for (const p of ['blocked', 'dns', 'connect', 'ssl'] as const) expect(e.timings[p]).toBeGreaterThanOrEqual(-1);
      const sum = (['blocked', 'dns', 'connect', 'send', 'wait', 'receive'] as const)
        .map((p) => e.timings[p])
        .filter((v) => v > 0)
        .reduce((a, b) => a + b, 0);
      expect(e.time).toBeCloseTo(sum, 6);
    }
  });

  it('keeps multi-valued headers, query strings, request bodies and probe/responder fields', () => {
    const entries = har().log.entries.filter((e) => e.pageref === 'prod');
    const put = entries.find((e) => e._label === 'PUT artifact')!;
    expect(put.response.headers.filter((h) => h.name === 'server').map((h) => h.value)).toEqual(['uvicorn', 'gunicorn']);
    expect(put.response).toMatchObject({
      status: 404,
      statusText: 'NOT FOUND',
      content: { mimeType: 'text/html; charset=utf-8', size: Buffer.byteLength(FLASK_404), text: FLASK_404 },
    });
    expect(put._responder).toBe('mlflow');
    expect(put._chain).toEqual(['hokusai-api', 'mlflow']);
    const search = entries.find((e) => e._label === 'experiments/search')!;
    expect(search.request.queryString).toEqual([{ name: 'max_results', value: '1' }]);
    const runs = entries.find((e) => e._label === 'runs/create')!;
    expect(runs.request.postData).toEqual({
      mimeType: 'application/json',
      text: expect.stringContaining('"experiment_id":"1"') as unknown,
    });
    expect(entries.find((e) => e._label === 'probe: PUT via ajax-api')!._probe).toBe('ajax-artifact');
  });

  it('shows a transport error as status 0 with the error kind', () => {
    const failed = har().log.entries.find((e) => e._error !== undefined)!;
    expect(failed.response).toMatchObject({ status: 0, statusText: 'reset', content: { size: 0 } });
    expect(failed.response._error).toBe('reset: read ECONNRESET\nsocket hang up');
    expect(failed._error).toMatchObject({ kind: 'reset', code: 'ECONNRESET', phase: 'headers' });
  });

  it('loads the way Chrome devtools imports a HAR', () => {
    expect(chromeImportProblems(har())).toEqual([]);
  });

  it('never carries the raw key', () => {
    expect(renderHar(fixtureReport())).not.toContain(RAW_KEY);
  });
});
