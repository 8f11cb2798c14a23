// Step `run`: get-or-create the shared `hokus-check` experiment, then create a run tagged with the check id.
import { MlflowApi } from '../mlflow/client.js';
import { CreateExperiment, CreateRun, GetExperiment } from '../mlflow/schemas.js';
import { CHECK_EXPERIMENT, CHECK_TAG, CREATED_TAG, resourceName } from '../mlflow/naming.js';
import type { Step, StepContext, StepOutcome } from './types.js';

export const runStep: Step = {
  id: 'run',
  dependsOn: ['experiments'],
  async run(ctx: StepContext): Promise<StepOutcome> {
    const api = new MlflowApi(ctx.http, ctx.mlflowBase);
    const experiment = await getOrCreateExperiment(api);
    if (!experiment.ok) return { status: experiment.kind, detail: experiment.reason };
    ctx.state.experimentId = experiment.id;
    ctx.state.created.experimentId = experiment.id;
    if (experiment.created) ctx.state.created.experimentCreated = true;

    const now = Date.now();
    const run = await api.call(
      {
        step: 'run',
        label: 'runs/create',
        method: 'POST',
        endpoint: 'runs/create',
        json: {
          experiment_id: experiment.id,
          run_name: resourceName(ctx.state.checkId),
          start_time: now,
          tags: [
            { key: CHECK_TAG, value: ctx.state.checkId },
            { key: CREATED_TAG, value: String(now) },
            { key: 'mlflow.runName', value: resourceName(ctx.state.checkId) },
          ],
        },
      },
      CreateRun,
    );
    if (!run.ok) {
      const error = run.result.exchange.error;
      if (run.result.status === undefined && error && error.kind !== 'key-boundary' && error.phase !== 'connect') {
        ctx.state.created.runUnconfirmed = true;
      }
      return { status: run.kind, detail: `runs/create: ${run.reason}` };
    }
    const info = run.data.run.info;
    ctx.state.runId = info.run_id;
    ctx.state.created.runId = info.run_id;
    ctx.state.artifactUri = info.artifact_uri;
    const short = info.run_id.slice(0, 8);
    if (!info.artifact_uri.startsWith('mlflow-artifacts:')) {
      // Clients would write to the store directly, bypassing the proxy (and needing its credentials).
      return { status: 'warn', detail: `run ${short}… artifact_uri ${info.artifact_uri.split(':')[0]}: bypasses the proxy` };
    }
    return { status: 'pass', detail: `run ${short}… in experiment ${experiment.id}` };
  },
};

type ExperimentAnswer = { ok: true; id: string; created: boolean } | { ok: false; kind: 'fail' | 'error'; reason: string };

async function getOrCreateExperiment(api: MlflowApi): Promise<ExperimentAnswer> {
  const get = () =>
    api.call(
      { step: 'run', label: 'experiments/get-by-name', method: 'GET', endpoint: 'experiments/get-by-name', query: { experiment_name: CHECK_EXPERIMENT } },
      GetExperiment,
    );
  const found = await get();
  if (found.ok) return { ok: true, id: found.data.experiment.experiment_id, created: false };
  if (found.errorCode !== 'RESOURCE_DOES_NOT_EXIST') return { ok: false, kind: found.kind, reason: `experiments/get-by-name: ${found.reason}` };

  const created = await api.call(
    { step: 'run', label: 'experiments/create', method: 'POST', endpoint: 'experiments/create', json: { name: CHECK_EXPERIMENT } },
    CreateExperiment,
  );
  if (created.ok) return { ok: true, id: created.data.experiment_id, created: true };
  // Another check created it meanwhile: MLflow answers 400 RESOURCE_ALREADY_EXISTS (not 409).
  if (created.errorCode === 'RESOURCE_ALREADY_EXISTS') {
    const again = await get();
    if (again.ok) return { ok: true, id: again.data.experiment.experiment_id, created: false };
    return { ok: false, kind: again.kind, reason: `experiments/get-by-name: ${again.reason}` };
  }
  return { ok: false, kind: created.kind, reason: `experiments/create: ${created.reason}` };
}
