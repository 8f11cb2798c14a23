// The delete calls, shared by the cleanup step and `sweep`. Registry deletes are DELETE with a JSON
// body (MLflow 2.x reads DELETE parameters only from the body).
import type { Http } from '../http/types.js';
import { Empty } from './schemas.js';
import { describeFailure, type MlflowApi } from './client.js';
import { ENDPOINT } from './endpoints.js';

export interface DeleteOutcome {
  ok: boolean;
  /** One line: '200' or '400 INVALID_PARAMETER_VALUE'. */
  reason: string;
}

export async function deleteModelVersion(
  api: MlflowApi,
  step: string,
  name: string,
  version: string,
  restBase?: string,
): Promise<DeleteOutcome> {
  const r = await api.call(
    {
      step,
      label: ENDPOINT.modelVersionsDelete,
      method: 'DELETE',
      endpoint: ENDPOINT.modelVersionsDelete,
      json: { name, version },
      ...(restBase ? { restBase } : {}),
    },
    Empty.loose(),
  );
  return r.ok ? { ok: true, reason: '200' } : { ok: false, reason: r.reason };
}

export async function deleteRegisteredModel(api: MlflowApi, step: string, name: string, restBase?: string): Promise<DeleteOutcome> {
  const r = await api.call(
    {
      step,
      label: ENDPOINT.registeredModelsDelete,
      method: 'DELETE',
      endpoint: ENDPOINT.registeredModelsDelete,
      json: { name },
      ...(restBase ? { restBase } : {}),
    },
    Empty.loose(),
  );
  return r.ok ? { ok: true, reason: '200' } : { ok: false, reason: r.reason };
}

export async function deleteRun(api: MlflowApi, step: string, runId: string): Promise<DeleteOutcome> {
  const r = await api.call(
    { step, label: ENDPOINT.runsDelete, method: 'POST', endpoint: ENDPOINT.runsDelete, json: { run_id: runId } },
    Empty.loose(),
  );
  return r.ok ? { ok: true, reason: '200' } : { ok: false, reason: r.reason };
}

/** Deletes a directory on the artifact proxy (a file DELETE answers 500 on MLflow 2.12.2). */
export async function deleteArtifactDir(http: Http, step: string, base: string, path: string, withKey: boolean): Promise<DeleteOutcome> {
  const r = await http.send({ step, label: 'DELETE artifacts', method: 'DELETE', url: `${base}/${path}`, withKey });
  const failure = describeFailure(r);
  return failure ? { ok: false, reason: failure.reason } : { ok: true, reason: String(r.status) };
}
