// Answers captured from the real proxies of the test suite (test/fixtures/proxies/pages.json, made
// by test/real-proxies), as evidence answers: what nginx, HAProxy, Apache httpd and Caddy really
// send when they answer themselves.
import { readFileSync } from 'node:fs';
import type { Answer } from './evidence.js';

interface CapturedPage {
  proxy: string;
  fault: string;
  method: string;
  path: string;
  status: number;
  headers: Array<[string, string]>;
  body: string;
}

export const PAGES: readonly CapturedPage[] = JSON.parse(
  readFileSync(new URL('../../fixtures/proxies/pages.json', import.meta.url), 'utf8'),
) as CapturedPage[];

/** The captured answer of `proxy` with `status` (the first one, by fault name order). */
export function proxyPage(proxy: 'nginx' | 'haproxy' | 'apache' | 'caddy', status: number, fault?: RegExp): Answer {
  const page = PAGES.find((p) => p.proxy === proxy && p.status === status && (!fault || fault.test(p.fault)));
  if (!page) throw new Error(`no captured ${proxy} ${status} page${fault ? ` for ${fault}` : ''} in test/fixtures/proxies/pages.json`);
  return { status: page.status, headers: page.headers, body: page.body };
}
