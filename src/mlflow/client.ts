// Typed MLflow REST calls over the check's Http. Each call returns either the parsed answer or a
// one-line reason and whether it was a wrong answer ('fail') or no usable answer ('error').
import type { Endpoint } from './endpoints.js';
import type { z } from 'zod';
import type { Http, HttpResult, Method, RequestSpec } from '../http/types.js';
import { mlflowArtifactsUrl, mlflowRestUrl } from './urls.js';

export type CallResult<T> =
  | { ok: true; data: T; result: HttpResult }
  | {
      ok: false;
      kind: 'fail' | 'error';
      reason: string;
      result: HttpResult;
      errorCode?: string;
      /** A 2xx JSON answer of another shape: its first problem, as data ('experiment.experiment_id: Required'). */
      schema?: string;
    };

export interface CallSpec {
  step: string;
  label: string;
  method: Method;
  /** Path under `/api/2.0/mlflow/` (mlflow/endpoints.ts). */
  endpoint: Endpoint;
  query?: Record<string, string | number>;
  json?: unknown;
  /** Override the REST base (registry deletes via the direct MLflow URL). */
  restBase?: string;
  withKey?: boolean;
  probe?: string;
}

export class MlflowApi {
  constructor(
    private readonly http: Http,
    /** `${registryUrl}${mlflowPath}` or a plain MLflow URL. */
    readonly base: string,
  ) {}

  get rest(): string {
    return mlflowRestUrl(this.base);
  }

  get artifacts(): string {
    return mlflowArtifactsUrl(this.base);
  }

  async call<S extends z.ZodType>(spec: CallSpec, schema: S): Promise<CallResult<z.infer<S>>> {
    const request: RequestSpec = {
      step: spec.step,
      label: spec.label,
      method: spec.method,
      url: `${spec.restBase ?? this.rest}/${spec.endpoint}`,
    };
    if (spec.query) request.query = spec.query;
    if (spec.json !== undefined) request.json = spec.json;
    if (spec.withKey !== undefined) request.withKey = spec.withKey;
    if (spec.probe) request.probe = spec.probe;
    const result = await this.http.send(request);
    return interpret(result, schema);
  }
}

/** Turns an HttpResult into data or a one-line reason. Exported for the artifact step. */
export function interpret<S extends z.ZodType>(result: HttpResult, schema: S): CallResult<z.infer<S>> {
  const failure = describeFailure(result);
  if (failure) return { ok: false, result, ...failure };
  const parsed = schema.safeParse(result.json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const path = issue && issue.path.length > 0 ? issue.path.join('.') : '(root)';
    const schema = `${path}: ${issue?.message ?? 'invalid'}`;
    return { ok: false, kind: 'fail', result, reason: `schema: ${schema}`, schema };
  }
  return { ok: true, data: parsed.data, result };
}

/** undefined when the answer is a 2xx JSON object; otherwise why not. */
export function describeFailure(result: HttpResult): { kind: 'fail' | 'error'; reason: string; errorCode?: string } | undefined {
  const x = result.exchange;
  if (result.status === undefined) {
    const error = x.error;
    return { kind: 'error', reason: error ? `${error.kind}: ${error.message}` : 'no response' };
  }
  const contentType = x.response?.contentType ?? 'no content type';
  if (result.status < 200 || result.status >= 300) {
    const json = result.json as Record<string, unknown> | undefined;
    const errorCode = json && typeof json.error_code === 'string' ? json.error_code : undefined;
    const what = errorCode ?? detailOf(json) ?? contentType;
    const out: { kind: 'fail'; reason: string; errorCode?: string } = { kind: 'fail', reason: `${result.status} ${what}` };
    if (errorCode) out.errorCode = errorCode;
    return out;
  }
  if (x.error?.kind === 'body-too-large') return { kind: 'fail', reason: `${result.status} body over the size cap` };
  if (result.json === undefined || typeof result.json !== 'object' || result.json === null) {
    return { kind: 'fail', reason: `${result.status} but not JSON (${contentType})` };
  }
  return undefined;
}

function detailOf(json: Record<string, unknown> | undefined): string | undefined {
  if (!json) return undefined;
  const detail = json.detail;
  if (typeof detail === 'string') return shorten(detail);
  if (typeof json.error === 'string') return json.error;
  if (detail && typeof detail === 'object' && typeof (detail as Record<string, unknown>).error === 'string') {
    return String((detail as Record<string, unknown>).error);
  }
  return undefined;
}

function shorten(s: string): string {
  return s.length > 60 ? `${s.slice(0, 57)}…` : s;
}
