// The fix line that leads into the servers' logs (src/report/log-search.ts).
import { describe, expect, it } from 'vitest';
import { logSearchLines } from '../../../src/report/log-search.js';
import type { ReportExchange } from '../../../src/report/schema.js';

const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';

function exchange(
  id: string,
  requestIds: ReportExchange['requestIds'],
  chain: ReportExchange['chain'] = ['nginx', 'hokusai-api'],
): ReportExchange {
  return {
    id,
    step: 'experiments',
    label: 'experiments/search',
    attempt: 1,
    startedAt: '2026-01-01T00:00:00.000Z',
    request: { method: 'GET', url: 'https://r.example.com/x', headers: [] },
    response: { status: 502, headers: [], bodyExcerpt: '', bodySize: 0, truncated: false },
    timings: { blocked: -1, dns: -1, connect: -1, ssl: -1, send: 0, wait: 0, receive: 0, total: 0 },
    responder: chain?.at(-1) ?? 'unknown',
    chain,
    ...(requestIds === undefined ? {} : { requestIds }),
  };
}

const index = (...xs: ReportExchange[]) => new Map(xs.map((x) => [x.id, x]));

describe('log search fix lines', () => {
  it('names the components the answer passed for an id any hop may set, with the trace id', () => {
    const x = exchange('x3', [{ header: 'x-request-id', value: '2f1e0c9a' }]);
    expect(logSearchLines({ evidence: ['x3'] }, index(x), TRACE)).toEqual([
      `Search the nginx / Hokusai API logs for request id 2f1e0c9a (x-request-id; trace id ${TRACE}).`,
    ]);
  });

  it('names the component that sets a header of its own, one line per component', () => {
    const x = exchange('x3', [
      { header: 'cf-ray', value: '8a1b-AMS' },
      { header: 'x-request-id', value: 'r-1' },
    ]);
    expect(logSearchLines({ evidence: ['x3'] }, index(x), undefined)).toEqual([
      'Search the Cloudflare logs for request id 8a1b-AMS (cf-ray).',
      'Search the nginx / Hokusai API logs for request id r-1 (x-request-id).',
    ]);
  });

  it('gathers the ids of several cited answers, each once, at most three a line', () => {
    const xs = ['a', 'b', 'c', 'd'].map((v, i) => exchange(`x${i + 1}`, [{ header: 'x-request-id', value: v }]));
    const again = exchange('x9', [{ header: 'x-request-id', value: 'a' }]);
    const lines = logSearchLines({ evidence: ['x1', 'x2', 'x9', 'x3', 'x4'] }, index(...xs, again), TRACE);
    expect(lines).toEqual([`Search the nginx / Hokusai API logs for request ids a, b, c and 1 more (x-request-id; trace id ${TRACE}).`]);
  });

  it('says nothing when no cited answer carried an id; a hop no profile names is the front proxy', () => {
    expect(logSearchLines({ evidence: ['x1'] }, index(exchange('x1', undefined)), TRACE)).toEqual([]);
    const hop = exchange('x2', [{ header: 'x-request-id', value: 'h' }], ['hop', 'unknown']);
    expect(logSearchLines({ evidence: ['x2'] }, index(hop), undefined)).toEqual([
      'Search the front proxy logs for request id h (x-request-id).',
    ]);
  });
});
