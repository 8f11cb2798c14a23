// How findings name things in a sentence: who answered, what they said, sizes.
import type { Exchange, Responder } from '../http/types.js';
import { bodySummary, readBody } from './exchange-body.js';
import { chainOf, responderOf } from './evidence-query.js';
import { componentWords } from './signatures.js';
export { formatBytes } from '../steps/progress-text.js';

export function responderWords(r: Responder): string {
  return componentWords(r);
}

/** '404 Flask HTML page "404 Not Found" from MLflow (via the Hokusai API)'. */
export function describeAnswer(x: Exchange): string {
  if (!x.response) return x.error ? `no answer (${x.error.kind}: ${x.error.message})` : 'no answer';
  const facts = readBody(x);
  const responder = responderOf(x);
  const outer = chainOf(x).filter((l) => l !== responder);
  const via = outer.length > 0 && responder !== 'hokusai-proxy' ? ` (via ${outer.map(responderWords).join(', ')})` : '';
  const summary = facts.text === '' ? 'empty body' : bodySummary(facts, 120);
  return `${x.response.status} ${summary} from ${responderWords(responder)}${via}`;
}

/** ', and the API's own MLflow health check (x3) fails the same way' — other exchanges showing one fault. */
export function sameWay(others: readonly Exchange[]): string {
  if (others.length === 0) return '';
  const names = others.map((x) => (x.label === 'GET /api/health/mlflow' ? `the API's own MLflow health check (${x.id})` : nameOf(x)));
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

