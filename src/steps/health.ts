// Step `health`: the API's own health endpoints (or MLflow's, for a plain MLflow target).
import { isUnhealthyState } from '../diagnosis/health-words.js';
import { probeTlsPort } from '../diagnosis/probes/tls-port.js';
import type { HttpResult } from '../http/types.js';
import { describeFailure } from '../mlflow/client.js';
import type { Step, StepContext, StepOutcome } from './types.js';
import { LABEL } from './labels.js';

export const healthStep: Step = {
  id: 'health',
  dependsOn: [],
  async run(ctx: StepContext): Promise<StepOutcome> {
    return ctx.target.kind === 'mlflow' ? mlflowHealth(ctx) : apiHealth(ctx);
  },
};

async function apiHealth(ctx: StepContext): Promise<StepOutcome> {
  const base = ctx.target.registryUrl ?? '';
  // Both at once; the key is sent because some API versions guard these paths (the registry origin is trusted).
  // `?detailed=true` is not used: it answers 500 on some versions.
  const [health, mlflow] = await Promise.all([
    ctx.http.send({ step: 'health', label: LABEL.apiHealth, method: 'GET', url: `${base}/health` }),
    ctx.http.send({ step: 'health', label: LABEL.mlflowHealth, method: 'GET', url: `${base}/api/health/mlflow` }),
  ]);
  const notes: string[] = [];
  const healthFailure = describeFailure(health);
  if (healthFailure) {
    await probeTlsPort(ctx, health, 'health');
    return { status: healthFailure.kind, detail: `/health: ${healthFailure.reason}` };
  }
  const unhealthy = unhealthyComponents(health.json);

  let mlflowDetail = '';
  if (isMissingEndpoint(mlflow)) {
    notes.push('/api/health/mlflow is not served by this API version (404): noted, not a failure');
    mlflowDetail = 'no /api/health/mlflow';
  } else {
    // The API's own view of MLflow: a warning here, because the MLflow steps measure that path
    // themselves and their failure (with its cause) is the one that matters.
    // A 200 plain `OK` (MLflow's own /health answer, proxied or served by the proxy in front) is healthy.
    const failure = isPlainOk(mlflow) ? undefined : describeFailure(mlflow);
    const status = failure || !mlflow.json ? undefined : (mlflow.json as { status?: unknown }).status;
    if (unhealthy.includes('mlflow')) mlflowDetail = '';
    else if (failure) unhealthy.push(`mlflow (/api/health/mlflow ${failure.reason})`);
    else if (isUnhealthyState(status)) unhealthy.push(`mlflow (/api/health/mlflow status ${String(status)})`);
    else mlflowDetail = 'mlflow ok';
  }
  if (unhealthy.length > 0) {
    return { status: 'warn', detail: `degraded: ${unhealthy.join(', ')} unhealthy`, notes };
  }
  return { status: 'pass', detail: `healthy; ${mlflowDetail}`, notes };
}

async function mlflowHealth(ctx: StepContext): Promise<StepOutcome> {
  const base = ctx.mlflowBase;
  const [health, version] = await Promise.all([
    ctx.http.send({ step: 'health', label: LABEL.apiHealth, method: 'GET', url: `${base}/health` }),
    ctx.http.send({ step: 'health', label: LABEL.mlflowVersion, method: 'GET', url: `${base}/version` }),
  ]);
  if (health.status === undefined) {
    await probeTlsPort(ctx, health, 'health');
    return { status: 'error', detail: `/health: ${health.exchange.error?.kind ?? 'no response'}` };
  }
  if (health.status !== 200) return { status: 'fail', detail: `/health: ${health.status}` };
  const v = version.status === 200 && version.text.length < 40 ? version.text.trim() : undefined;
  return { status: 'pass', detail: v ? `OK; MLflow ${v}` : 'OK' };
}

function isPlainOk(r: HttpResult): boolean {
  return r.status === 200 && /^ok\s*$/i.test(r.text.trim());
}

/** A 404 for a route this API version (or the proxy in front) does not have. */
function isMissingEndpoint(r: HttpResult): boolean {
  // FastAPI's {"detail":"Not Found"}, or the 404 page of a proxy in front that does not route it.
  return r.status === 404 && !(r.json as { status?: unknown } | undefined)?.status;
}

/** Components reported as not healthy, from `{status, services: {name: state}}` answers. */
export function unhealthyComponents(json: unknown): string[] {
  if (!json || typeof json !== 'object') return [];
  const body = json as { status?: unknown; services?: unknown };
  const out: string[] = [];
  if (body.services && typeof body.services === 'object') {
    for (const [name, state] of Object.entries(body.services as Record<string, unknown>)) {
      const s = typeof state === 'string' ? state : (state as { status?: unknown } | null)?.status;
      if (isUnhealthyState(s)) out.push(name);
    }
  }
  if (out.length === 0 && isUnhealthyState(body.status)) out.push('(unnamed)');
  return out;
}
