// A --har file read back, typed as src/report/har.ts writes it (HAR 1.2 plus its `_` fields). The
// cast types the text for the tests; what each field holds is still for the test to check.
import type { ReportExchange } from '../../src/report/schema.js';

export interface HarHeader {
  name: string;
  value: string;
}

export type HarPhase = 'blocked' | 'dns' | 'connect' | 'ssl' | 'send' | 'wait' | 'receive';

export interface HarPage {
  id: string;
  startedDateTime: string;
  title: string;
  pageTimings: Record<string, number>;
  comment?: string;
  _traceId?: string;
}

export interface HarEntry {
  pageref: string;
  startedDateTime: string;
  time: number;
  request: {
    method: string;
    url: string;
    httpVersion: string;
    headers: HarHeader[];
    queryString: HarHeader[];
    cookies: unknown[];
    headersSize: number;
    bodySize: number;
    postData?: { mimeType: string; text: string; comment?: string };
  };
  response: {
    status: number;
    statusText: string;
    httpVersion: string;
    headers: HarHeader[];
    cookies: unknown[];
    content: { size: number; mimeType: string; text?: string; comment?: string };
    redirectURL: string;
    headersSize: number;
    bodySize: number;
    _error?: string;
  };
  cache: object;
  timings: Record<HarPhase, number>;
  comment?: string;
  _id: string;
  _step: ReportExchange['step'];
  _probe?: string;
  _label: string;
  _attempt: number;
  _retried?: true;
  _responder?: NonNullable<ReportExchange['responder']>;
  _chain?: NonNullable<ReportExchange['chain']>;
  _error?: NonNullable<ReportExchange['error']>;
  _spanId?: string;
  _requestIds?: HarHeader[];
}

export interface Har {
  log: {
    version: string;
    creator: { name: string; version: string };
    pages: HarPage[];
    entries: HarEntry[];
    comment?: string;
  };
}

export function parseHar(text: string): Har {
  return JSON.parse(text) as Har;
}
