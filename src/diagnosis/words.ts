// How findings name things in a sentence: who answered, what they said, sizes. A hop a profile names
// is named by it ('nginx'); any other by its position and how it identifies itself ("the proxy in
// front of MLflow (Server: Zorgon/2)", "a hop in front of MLflow that sends no Server header").
import type { Exchange } from '../http/types.js';
import { bodySummary, readBody } from './exchange-body.js';
import { chainOf, hostOf, responderOf } from './evidence-query.js';
import { fingerprintOf, serviceWords } from './fingerprint.js';
import { componentWords, type Responder } from './profiles/index.js';
import { LABEL } from '../steps/labels.js';
export { formatBytes } from '../steps/progress-text.js';

export function responderWords(r: Responder): string {
  return componentWords(r);
}

/** Who wrote `x`'s answer, for 'from …': 'nginx', 'MLflow', 'a hop in front (Server: Zorgon/2)'. */
export function writerWords(x: Exchange): string {
  const fp = fingerprintOf(x);
  if (fp.responder !== 'hop') return responderWords(fp.responder);
  return fp.says !== undefined ? `a hop in front (${fp.says})` : 'a hop in front that sends no Server header';
}

/**
 * The hop that wrote `x`, where it is: 'nginx at registry.example:443', 'the proxy in front of MLflow
 * at registry.example:443 (Server: Zorgon/2)', 'a hop in front of MLflow at … that sends no Server header'.
 */
export function hopAt(x: Exchange): string {
  const fp = fingerprintOf(x);
  const host = hostOf(x.request.url);
  if (fp.responder === 'unknown') return `the server at ${host}`;
  if (fp.responder !== 'hop') return `${responderWords(fp.responder)} at ${host}`;
  const behind = serviceWords(fp.behind);
  return fp.says !== undefined
    ? `the proxy in front of ${behind} at ${host} (${fp.says})`
    : `a hop in front of ${behind} at ${host} that sends no Server header`;
}

/** '404 Flask HTML page "404 Not Found" from MLflow (via the Hokusai API)'. */
export function describeAnswer(x: Exchange): string {
  if (!x.response) return x.error ? `no answer (${x.error.kind}: ${x.error.message})` : 'no answer';
  const facts = readBody(x);
  const responder = responderOf(x);
  const outer = chainOf(x).filter((l) => l !== responder);
  const via = outer.length > 0 && responder !== 'hokusai-proxy' ? ` (via ${outer.map(responderWords).join(', ')})` : '';
  const summary = facts.text === '' ? 'empty body' : bodySummary(facts, 120);
  return `${x.response.status} ${summary} from ${writerWords(x)}${via}`;
}

/** The answer alone, for a sentence that already names who wrote it: '503 HTML page "Service Unavailable"'. */
export function answerOnly(x: Exchange): string {
  if (!x.response) return x.error ? `no answer (${x.error.kind}: ${x.error.message})` : 'no answer';
  const facts = readBody(x);
  return `${x.response.status} ${facts.text === '' ? 'empty body' : bodySummary(facts, 120)}`;
}

/** How a hop's answer was read: 'likely: a 503 on the first call…; none of MLflow's own marks'. */
export function decidedBy(x: Exchange, reading: { sure: 'certain' | 'likely'; why: string } | undefined): string {
  const basis = fingerprintOf(x).basis;
  return reading ? `${reading.sure === 'likely' ? 'likely: ' : ''}${reading.why}; ${basis}` : basis;
}

/** ', and the API's own MLflow health check (x3) fails the same way' — other exchanges showing one fault. */
export function sameWay(others: readonly Exchange[]): string {
  if (others.length === 0) return '';
  const names = others.map((x) => (x.label === LABEL.mlflowHealth ? `the API's own MLflow health check (${x.id})` : nameOf(x)));
  return `, and ${names.join(', ')} ${others.length === 1 ? 'fails' : 'fail'} the same way`;
}

/** 'PUT artifact (x7)' */
export function nameOf(x: Exchange): string {
  return `${x.label} (${x.id})`;
}

export function capitalise(s: string): string {
  // Product names keep their own spelling at the start of a sentence ('nginx at …').
  if (/^(nginx|openresty)\b/.test(s)) return s;
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/** A JSON value as a finding quotes it: a scalar as is, anything else as its JSON; `fallback` when absent. */
export function valueText(v: unknown, fallback = '?'): string {
  if (v === undefined || v === null) return fallback;
  return typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' ? String(v) : JSON.stringify(v);
}
