// The request ids an answer carried and the traceparent the check sends (src/http/request-ids.ts,
// src/http/trace-context.ts).
import { describe, expect, it } from 'vitest';
import { MAX_REQUEST_ID_CHARS, MAX_REQUEST_IDS, REQUEST_ID_HEADERS, requestIdSetBy, requestIdsOf } from '../../../src/http/request-ids.js';
import { isTraceId, newSpanId, newTraceId, traceparent } from '../../../src/http/trace-context.js';
import type { Header } from '../../../src/http/types.js';

describe('request ids an answer carried', () => {
  it('takes the listed headers in the answer’s order, names lower-cased, values trimmed', () => {
    const headers: Header[] = [
      ['server', 'nginx'],
      ['CF-RAY', ' 8a1b2c3d4e5f6a7b-AMS '],
      ['x-request-id', '2f1e0c9a'],
      ['x-envoy-upstream-service-time', '12'],
      ['x-amzn-trace-id', 'Root=1-67891233-abcdef012345678912345678'],
    ];
    expect(requestIdsOf(headers)).toEqual([
      { header: 'cf-ray', value: '8a1b2c3d4e5f6a7b-AMS' },
      { header: 'x-request-id', value: '2f1e0c9a' },
      { header: 'x-amzn-trace-id', value: 'Root=1-67891233-abcdef012345678912345678' },
    ]);
  });

  it('no x-envoy- header is an id: Envoy names a request with x-request-id', () => {
    expect(REQUEST_ID_HEADERS.filter((h) => h.name.startsWith('x-envoy-'))).toEqual([]);
    expect(
      requestIdsOf([
        ['x-envoy-upstream-service-time', '3'],
        ['x-envoy-overloaded', 'true'],
      ]),
    ).toEqual([]);
  });

  it('keeps two hops’ different ids of one header, the same id once, and skips empty values', () => {
    const headers: Header[] = [
      ['x-request-id', 'edge-1'],
      ['x-request-id', 'app-2'],
      ['x-request-id', 'edge-1'],
      ['x-correlation-id', '  '],
    ];
    expect(requestIdsOf(headers).map((r) => r.value)).toEqual(['edge-1', 'app-2']);
  });

  it('bounds each value and the number of ids', () => {
    const [long] = requestIdsOf([['x-request-id', 'a'.repeat(10 * 1024)]]);
    expect([...long!.value].length).toBe(MAX_REQUEST_ID_CHARS);
    expect(long!.value.endsWith('…')).toBe(true);
    const many = requestIdsOf(Array.from({ length: 20 }, (_, i): Header => ['x-request-id', `id-${i}`]));
    expect(many).toHaveLength(MAX_REQUEST_IDS);
  });

  it('names whose logs hold an id only for headers one kind of component sets', () => {
    expect(requestIdSetBy('CF-Ray')).toBe('Cloudflare');
    expect(requestIdSetBy('x-amz-cf-id')).toBe('CloudFront');
    expect(requestIdSetBy('x-kong-request-id')).toBe('Kong');
    expect(requestIdSetBy('x-request-id')).toBeUndefined();
  });
});

describe('W3C traceparent', () => {
  it('is version 00, the trace id, the span id, sampled', () => {
    const traceId = newTraceId();
    const spanId = newSpanId();
    expect(traceparent(traceId, spanId)).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
    expect(isTraceId(traceId)).toBe(true);
    expect(spanId).toMatch(/^[0-9a-f]{16}$/);
  });

  it('never makes the all-zero ids the spec calls invalid', () => {
    let calls = 0;
    const zerosFirst = (size: number) => (calls++ === 0 ? Buffer.alloc(size) : Buffer.alloc(size, 0xab));
    expect(newTraceId(zerosFirst)).toBe('ab'.repeat(16));
    expect(isTraceId('0'.repeat(32))).toBe(false);
  });
});
