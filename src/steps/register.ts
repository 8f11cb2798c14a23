// Step `register`: create a registered model and a version from the run's artifacts, wait until READY.
import { MlflowApi } from '../mlflow/client.js';
import { GetModelVersion, GetRegisteredModel } from '../mlflow/schemas.js';
import { ARTIFACT_DIR, CHECK_TAG, resourceName } from '../mlflow/naming.js';
import type { Step, StepContext, StepOutcome } from './types.js';

export const registerStep: Step = {
  id: 'register',
  dependsOn: ['run'],
  softDependsOn: ['artifact'],
  async run(ctx: StepContext): Promise<StepOutcome> {
    const api = new MlflowApi(ctx.http, ctx.mlflowBase);
    const name = resourceName(ctx.state.checkId);
    const tags = [{ key: CHECK_TAG, value: ctx.state.checkId }];

    const model = await api.call(
      { step: 'register', label: 'registered-models/create', method: 'POST', endpoint: 'registered-models/create', json: { name, tags } },
      GetRegisteredModel,
    );
    if (!model.ok && model.errorCode !== 'RESOURCE_ALREADY_EXISTS') {
      // No answer after the request went out: the server may still create the model. Its name
      // carries our check id, so cleanup may delete it by name.
      const error = model.result.exchange.error;
      if (model.result.status === undefined && error && error.kind !== 'key-boundary' && error.phase !== 'connect') {
        ctx.state.created.modelName = name;
        ctx.state.created.modelUnconfirmed = true;
      }
      return { status: model.kind, detail: `registered-models/create: ${model.reason}` };
    }
    // Only a model this check created is ours to delete; the name carries our unique check id.
    ctx.state.modelName = name;
    ctx.state.created.modelName = name;

    // The resolved mlflow-artifacts: source, as MLflow's own client sends it (not runs:/).
    const source = `${(ctx.state.artifactUri ?? '').replace(/\/+$/, '')}/${ARTIFACT_DIR}`;
    const version = await api.call(
      {
        step: 'register',
        label: 'model-versions/create',
        method: 'POST',
        endpoint: 'model-versions/create',
        json: { name, source, run_id: ctx.state.runId, tags },
      },
      GetModelVersion,
    );
    if (!version.ok) return { status: version.kind, detail: `model-versions/create: ${version.reason}` };
    const v = version.data.model_version.version;
    ctx.state.modelVersion = v;
    ctx.state.created.modelVersions.push(v);

    let status = version.data.model_version.status;
    let message = version.data.model_version.status_message;
    const deadline = Date.now() + ctx.options.registerWaitMs;
    let polls = 0;
    while (status === 'PENDING_REGISTRATION' && Date.now() < deadline && !ctx.signal.aborted) {
      await sleep(Math.min(ctx.options.registerPollMs * 2 ** Math.min(polls, 3), 2000), ctx.signal);
      polls++;
      ctx.progress.update('register', `waiting for version ${v}: ${status} (poll ${polls})`);
      const got = await api.call(
        { step: 'register', label: 'model-versions/get', method: 'GET', endpoint: 'model-versions/get', query: { name, version: v } },
        GetModelVersion,
      );
      if (!got.ok) return { status: got.kind, detail: `model-versions/get: ${got.reason}` };
      status = got.data.model_version.status;
      message = got.data.model_version.status_message;
    }
    if (status === 'READY') return { status: 'pass', detail: `${name} v${v} READY${polls ? ` after ${polls} poll${polls > 1 ? 's' : ''}` : ''}` };
    if (status === 'FAILED_REGISTRATION') return { status: 'fail', detail: `v${v} FAILED_REGISTRATION${message ? `: ${message}` : ''}` };
    return { status: 'fail', detail: `v${v} still PENDING_REGISTRATION after ${Math.round(ctx.options.registerWaitMs / 1000)}s` };
  },
};

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
  });
}
