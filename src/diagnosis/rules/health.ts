// Health family: the API's own health report names a component that is not healthy.
import { readBody } from '../exchange-body.js';
import { isUnhealthyState } from '../health-words.js';
import { exchangesWhere, is2xx, needsExplaining, stepStatus } from '../evidence-query.js';
import { report, rule } from '../finding.js';
import type { CheckExchange, Rule, RuleMeta } from '../types.js';
import { LABEL } from '../../steps/labels.js';

const degradedMeta: RuleMeta = {
  code: 'HEALTH_DEGRADED',
  family: 'health',
  rank: { tier: 'context', order: 1 },
  title: 'A component reports unhealthy',
  severity: 'warn',
  docs: {
    means:
      'The API answers its health check but reports itself degraded, or names a dependency (mlflow, redis, postgres, message_queue, …) that is not healthy.',
    detect:
      'GET /health answers JSON with "status": "degraded"/"unhealthy" or a services entry that is unhealthy/down/error. Linked to the root cause when the same fault explains it (an unhealthy mlflow and a routing, mlflow or gateway root cause).',
    fix: 'Fix the named component: mlflow — see the linked finding; redis — REDIS_URL must carry a scheme (redis:// or rediss://) and the endpoint must be reachable; postgres — the database and its credentials.',
    confirm: 'GET /health answers "status": "healthy"; rerun `hokus-check --only health`.',
  },
};

export const rules: Rule[] = [
  rule(degradedMeta, (ev) => {
    if (!needsExplaining(ev, 'health')) return [];
    // /health first; the API's own MLflow check (/api/health/mlflow) when /health itself looks fine.
    const x = [
      ...exchangesWhere(ev, { step: 'health', probe: false, label: LABEL.apiHealth, finalOnly: true }),
      ...exchangesWhere(ev, { step: 'health', probe: false, label: LABEL.mlflowHealth, finalOnly: true }),
    ].find((y) => degradedComponents(y).length > 0);
    if (!x) return [];
    const components = degradedComponents(x);
    const reported = readBody(x).json?.status;
    const failed = stepStatus(ev, 'health') === 'fail' && !is2xx(x);
    return [
      report(degradedMeta, {
        step: 'health',
        severity: failed ? 'error' : 'warn',
        cause: `The API reports itself ${typeof reported === 'string' && reported !== 'error' ? reported : 'not healthy'}: ${components.map((c) => `${c.name} is ${c.state}${c.reason ? ` (${c.reason})` : ''}`).join(', ')} (${x.label.replace(/^GET /, 'GET ')} ${x.response?.status}).`,
        evidence: [x.id],
        fix: components.map((c) => fixFor(c.name, c.reason)),
      }),
    ];
  }),
];

export interface ComponentHealth {
  name: string;
  state: string;
  reason?: string;
}

/** Components a `{status, services: {name: state | {status, error}}}` health answer reports as not healthy. */
export function degradedComponents(x: CheckExchange): ComponentHealth[] {
  const json = readBody(x).json;
  if (!json) return [];
  if (x.label === LABEL.mlflowHealth) {
    // {"status": "ok"|"error", "error_type", "error"}: the API's own probe of MLflow.
    const state = typeof json.status === 'string' ? json.status : String(x.response?.status ?? 'error');
    if (is2xx(x) && !isUnhealthyState(state)) return [];
    if (x.response?.status === 404) return []; // an API version without this endpoint: a note, not a symptom
    const full = typeof json.error === 'string' ? json.error : typeof json.detail === 'string' ? json.detail : undefined;
    const reason = full && full.length > 140 ? `${full.slice(0, 139)}…` : full;
    return [reason ? { name: 'mlflow', state, reason } : { name: 'mlflow', state }];
  }
  const out: ComponentHealth[] = [];
  const services = json.services;
  if (services && typeof services === 'object' && !Array.isArray(services)) {
    for (const [name, value] of Object.entries(services as Record<string, unknown>)) {
      const obj = value && typeof value === 'object' ? (value as Record<string, unknown>) : undefined;
      const state = typeof value === 'string' ? value : typeof obj?.status === 'string' ? obj.status : undefined;
      if (!state || !isUnhealthyState(state)) continue;
      const reason = typeof obj?.error === 'string' ? obj.error : typeof obj?.message === 'string' ? obj.message : undefined;
      out.push(reason ? { name, state, reason } : { name, state });
    }
  }
  if (out.length === 0 && typeof json.status === 'string' && isUnhealthyState(json.status))
    out.push({ name: 'the API', state: json.status });
  return out;
}

function fixFor(component: string, reason?: string): string {
  if (/mlflow/i.test(component))
    return "mlflow: the API cannot use MLflow — check its MLFLOW_SERVER_URL and MLflow's tasks (a routing, mlflow or gateway finding, when there is one, names the cause).";
  if (/redis/i.test(component)) {
    // The health answer rarely says why; a URL without a scheme is one cause seen before, not the only one.
    return /scheme|redis:\/\/|rediss:\/\/|invalid url/i.test(reason ?? '')
      ? `redis: REDIS_URL is malformed (${reason}): it must carry a scheme, redis:// or rediss:// for TLS.`
      : `redis: the API cannot use Redis${reason ? ` (${reason})` : ''}: check that REDIS_URL reaches it from the API's tasks; the API's logs say why — a REDIS_URL without a redis:// or rediss:// scheme is one known cause.`;
  }
  if (/postgres|database|db/i.test(component)) return `${component}: check the database is up and the API's credentials for it.`;
  if (/queue/i.test(component)) return `${component}: check the message queue endpoint and credentials.`;
  return `${component}: read the API's logs for why it reports ${component} unhealthy.`;
}
