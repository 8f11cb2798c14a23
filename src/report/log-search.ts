// The fix line that leads from a finding into the servers' logs: the request ids its evidence's
// answers carried (src/http/request-ids.ts), each under the component whose logs hold it, with the
// check's trace id. build.ts appends it to a finding's fix, so every format shows the same line:
//   Search the Cloudflare logs for request id 8a1b2c3d4e5f6a7b-AMS (cf-ray; trace id 4bf92f35…0e4736).
//   Search the nginx / Hokusai API logs for request id 2f1e0c9a (x-request-id; trace id 4bf92f35…0e4736).
import { componentWords, type Responder } from '../diagnosis/profiles/index.js';
import { requestIdSetBy } from '../http/request-ids.js';
import type { ReportExchange, ReportFinding } from './schema.js';

/** Components named in one finding's fix, and ids named per component: the rest is in --json/--har. */
const MAX_COMPONENTS = 3;
const MAX_IDS = 3;

/** One line per component whose logs hold a request id of the finding's evidence; none without ids. */
export function logSearchLines(
  f: Pick<ReportFinding, 'evidence'>,
  exchanges: ReadonlyMap<string, ReportExchange>,
  traceId: string | undefined,
): string[] {
  // Component → header → values, in evidence order (the same id once).
  const byComponent = new Map<string, Map<string, string[]>>();
  for (const id of f.evidence) {
    const x = exchanges.get(id);
    for (const r of x?.requestIds ?? []) {
      const who = requestIdSetBy(r.header) ?? answeredBy(x!);
      const headers = byComponent.get(who) ?? new Map<string, string[]>();
      byComponent.set(who, headers);
      const values = headers.get(r.header) ?? [];
      if (!values.includes(r.value)) values.push(r.value);
      headers.set(r.header, values);
    }
  }
  const trace = traceId === undefined ? '' : `; trace id ${traceId}`;
  return [...byComponent].slice(0, MAX_COMPONENTS).map(([who, headers]) => {
    const ids = [...headers].flatMap(([header, values]) => values.map((value) => ({ header, value })));
    const shown = ids.slice(0, MAX_IDS);
    const more = ids.length > shown.length ? ` and ${ids.length - shown.length} more` : '';
    const names = [...new Set(shown.map((i) => i.header))].join(', ');
    const noun = shown.length === 1 ? 'request id' : 'request ids';
    return `Search the ${who} logs for ${noun} ${shown.map((i) => i.value).join(', ')}${more} (${names}${trace}).`;
  });
}

/**
 * For a header any hop may set: the components the answer passed, outermost first ('nginx / Hokusai
 * API'); the id is in the logs of the one that set it, and usually of those behind it.
 */
function answeredBy(x: ReportExchange): string {
  const chain: readonly Responder[] =
    x.chain !== undefined && x.chain.length > 0 ? x.chain : x.responder !== undefined ? [x.responder] : [];
  const names = [...new Set(chain.map(shortName).filter((n) => n !== undefined))];
  return names.length > 0 ? names.join(' / ') : 'server';
}

/** 'nginx', 'AWS load balancer', "API's MLflow proxy"; a hop no profile names is the front proxy. */
function shortName(id: Responder): string | undefined {
  if (id === 'unknown') return undefined;
  if (id === 'hop') return 'front proxy';
  return componentWords(id).replace(/^the /, '');
}
