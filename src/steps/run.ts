// Step `run`: get, create or restore the shared `hokus-check` experiment, then create a run tagged with the check id.
import { MlflowApi } from '../mlflow/client.js';
import { CreateExperiment, CreateRun, Empty, GetExperiment } from '../mlflow/schemas.js';
import { CHECK_EXPERIMENT, CHECK_EXPERIMENTS, CHECK_TAG, CREATED_TAG, carriesCheckTag, resourceName } from '../mlflow/naming.js';
import type { Step, StepContext, StepOutcome } from './types.js';
import { callFailed } from './outcome.js';
import { ENDPOINT } from '../mlflow/endpoints.js';

export const runStep: Step = {
  id: 'run',
  dependsOn: ['experiments'],
  async run(ctx: StepContext): Promise<StepOutcome> {
    const api = new MlflowApi(ctx.http, ctx.mlflowBase);
    const notes: string[] = [];
    const experiment = await sharedExperiment(api, notes);
    if (!experiment.ok) return callFailed(experiment.call, experiment, notes);
    ctx.state.experimentId = experiment.id;
    ctx.state.created.experimentId = experiment.id;
    if (experiment.created) ctx.state.created.experimentCreated = true;

    const now = Date.now();
    const run = await api.call(
      {
        step: 'run',
        label: ENDPOINT.runsCreate,
        method: 'POST',
        endpoint: ENDPOINT.runsCreate,
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
      return callFailed(ENDPOINT.runsCreate, run, notes);
    }
    const info = run.data.run.info;
    // Only a run that carries this check's tag and name is ours (a cache in front may answer with
    // someone else's): anything else is named and left alone, and cleanup finds ours by its tag.
    const name = resourceName(ctx.state.checkId);
    if (!carriesCheckTag(run.data.run.data?.tags, ctx.state.checkId) || (info.run_name !== undefined && info.run_name !== name)) {
      const what = `run ${info.run_id}${info.run_name ? ` (${info.run_name})` : ''}`;
      (ctx.state.foreign ??= []).push(what);
      ctx.state.created.runUnconfirmed = true;
      return {
        status: 'fail',
        detail: `runs/create answered ${what}, which is not this check's (no ${CHECK_TAG}=${ctx.state.checkId} tag, name not ${name}): left alone`,
        notes,
        failure: { kind: 'foreign-object', what },
      };
    }
    ctx.state.runId = info.run_id;
    ctx.state.created.runId = info.run_id;
    ctx.state.artifactUri = info.artifact_uri;
    const short = info.run_id.slice(0, 8);
    const where = `experiment ${experiment.id}${experiment.name === CHECK_EXPERIMENT ? '' : ` (${experiment.name})`}${experiment.restored ? ', restored' : ''}`;
    if (!info.artifact_uri.startsWith('mlflow-artifacts:')) {
      // Clients would write to the store directly, bypassing the proxy (and needing its credentials).
      return { status: 'warn', detail: `run ${short}… artifact_uri ${info.artifact_uri.split(':')[0]}: bypasses the proxy`, notes };
    }
    return { status: 'pass', detail: `run ${short}… in ${where}`, notes };
  },
};

type ExperimentAnswer =
  | { ok: true; id: string; name: string; created: boolean; restored: boolean }
  | { ok: false; kind: 'fail' | 'error'; call: string; reason: string; schema?: string };

/**
 * The shared experiment, active: found, created, or — when an earlier run of someone's cleanup
 * deleted it — restored (experiments/restore). When restore is refused (by MLflow or by a proxy
 * that does not route it), the next name of CHECK_EXPERIMENTS takes its place, so a deleted
 * experiment never fails a check. What happened is told in `notes`.
 */
async function sharedExperiment(api: MlflowApi, notes: string[]): Promise<ExperimentAnswer> {
  for (const [i, name] of CHECK_EXPERIMENTS.entries()) {
    const next = CHECK_EXPERIMENTS[i + 1];
    const got = await activeExperiment(api, name, notes);
    if (got.ok || got.kind === 'error' || !('deleted' in got)) return got;
    notes.push(`experiment ${name} is deleted and could not be restored (${got.call}: ${got.reason})${next ? `: using ${next}` : ''}`);
  }
  return {
    ok: false,
    kind: 'fail',
    call: 'experiments/restore',
    reason: `experiments ${CHECK_EXPERIMENTS.join(', ')} are all deleted and restoring them is refused`,
  };
}

type NameAnswer = ExperimentAnswer | { ok: false; kind: 'fail'; call: string; reason: string; deleted: true };

/** One name: active as is, restored, or created; `deleted` when it stays deleted. */
async function activeExperiment(api: MlflowApi, name: string, notes: string[]): Promise<NameAnswer> {
  const get = () =>
    api.call(
      {
        step: 'run',
        label: ENDPOINT.experimentsGetByName,
        method: 'GET',
        endpoint: ENDPOINT.experimentsGetByName,
        query: { experiment_name: name },
      },
      GetExperiment,
    );
  let found = await get();
  if (!found.ok && found.errorCode === 'RESOURCE_DOES_NOT_EXIST') {
    const created = await api.call(
      { step: 'run', label: ENDPOINT.experimentsCreate, method: 'POST', endpoint: ENDPOINT.experimentsCreate, json: { name } },
      CreateExperiment,
    );
    if (created.ok) return { ok: true, id: created.data.experiment_id, name, created: true, restored: false };
    // Another check created it meanwhile, or it exists deleted: MLflow answers 400 RESOURCE_ALREADY_EXISTS (not 409).
    if (created.errorCode !== 'RESOURCE_ALREADY_EXISTS') return failedCall(ENDPOINT.experimentsCreate, created);
    found = await get();
  }
  if (!found.ok) return failedCall(ENDPOINT.experimentsGetByName, found);
  const experiment = found.data.experiment;
  // MLflow's get-by-name also finds a deleted experiment (lifecycle_stage "deleted"); runs/create in
  // it is refused (400 INVALID_STATE), so it is restored first.
  if (experiment.lifecycle_stage === undefined || experiment.lifecycle_stage === 'active') {
    return { ok: true, id: experiment.experiment_id, name, created: false, restored: false };
  }
  const id = experiment.experiment_id;
  const restore = await api.call(
    { step: 'run', label: ENDPOINT.experimentsRestore, method: 'POST', endpoint: ENDPOINT.experimentsRestore, json: { experiment_id: id } },
    Empty,
  );
  if (restore.ok) {
    notes.push(`experiment ${name} (${id}) was ${experiment.lifecycle_stage}: restored it (experiments/restore)`);
    return { ok: true, id, name, created: false, restored: true };
  }
  if (restore.kind === 'error') return failedCall('experiments/restore', restore);
  // Another check restored it meanwhile: MLflow then finds no deleted experiment with that id.
  const again = await get();
  if (again.ok && (again.data.experiment.lifecycle_stage ?? 'active') === 'active') {
    return { ok: true, id: again.data.experiment.experiment_id, name, created: false, restored: false };
  }
  return { ok: false, kind: 'fail', call: 'experiments/restore', reason: restore.reason, deleted: true };
}

/** A failed call of the experiment's, as the run step reports it. */
function failedCall(call: string, r: { kind: 'fail' | 'error'; reason: string; schema?: string }): ExperimentAnswer {
  return { ok: false, kind: r.kind, call, reason: r.reason, ...(r.schema !== undefined ? { schema: r.schema } : {}) };
}
