// Step `register`: create a registered model and a version from the run's artifacts, wait until READY.
import { MlflowApi } from '../mlflow/client.js';
import { GetModelVersion, GetRegisteredModel } from '../mlflow/schemas.js';
import { ARTIFACT_DIR, CHECK_TAG, CREATED_TAG, carriesCheckTag, resourceName } from '../mlflow/naming.js';
import type { Step, StepContext, StepOutcome } from './types.js';
import { pause } from './pause.js';
import { callFailed } from './outcome.js';
import { ENDPOINT } from '../mlflow/endpoints.js';

export const registerStep: Step = {
  id: 'register',
  dependsOn: ['run'],
  softDependsOn: ['artifact'],
  async run(ctx: StepContext): Promise<StepOutcome> {
    const api = new MlflowApi(ctx.http, ctx.mlflowBase);
    const name = resourceName(ctx.state.checkId);
    // The check id proves the model and its versions are this check's (cleanup, sweep); the creation
    // time, on this machine's clock, lets sweep age them whatever the server's clock says.
    const tags = [
      { key: CHECK_TAG, value: ctx.state.checkId },
      { key: CREATED_TAG, value: String(Date.now()) },
    ];

    const model = await api.call(
      {
        step: 'register',
        label: ENDPOINT.registeredModelsCreate,
        method: 'POST',
        endpoint: ENDPOINT.registeredModelsCreate,
        json: { name, tags },
      },
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
      return callFailed(ENDPOINT.registeredModelsCreate, model);
    }
    // Only a model that carries this check's tag is ours to delete. An existing one (the name is
    // unique to this check, so it should never exist) must prove it too.
    const registered = model.ok
      ? model
      : await api.call(
          { step: 'register', label: ENDPOINT.registeredModelsGet, method: 'GET', endpoint: ENDPOINT.registeredModelsGet, query: { name } },
          GetRegisteredModel,
        );
    if (!registered.ok) return callFailed(ENDPOINT.registeredModelsGet, registered);
    const answered = registered.data.registered_model;
    if (answered.name !== name || !carriesCheckTag(answered.tags, ctx.state.checkId)) {
      const what = `registered model ${answered.name}`;
      (ctx.state.foreign ??= []).push(what);
      return {
        status: 'fail',
        detail: `registered-models/${model.ok ? 'create' : 'get'} answered ${what}, which is not this check's (no ${CHECK_TAG}=${ctx.state.checkId} tag): left alone`,
        failure: { kind: 'foreign-object', what },
      };
    }
    ctx.state.modelName = name;
    ctx.state.created.modelName = name;

    // The resolved mlflow-artifacts: source, as MLflow's own client sends it (not runs:/).
    const source = `${(ctx.state.artifactUri ?? '').replace(/\/+$/, '')}/${ARTIFACT_DIR}`;
    const version = await api.call(
      {
        step: 'register',
        label: ENDPOINT.modelVersionsCreate,
        method: 'POST',
        endpoint: ENDPOINT.modelVersionsCreate,
        json: { name, source, run_id: ctx.state.runId, tags },
      },
      GetModelVersion,
    );
    if (!version.ok) return callFailed(ENDPOINT.modelVersionsCreate, version);
    const mv = version.data.model_version;
    if (
      mv.name !== name ||
      (mv.run_id !== undefined && mv.run_id !== ctx.state.runId) ||
      (mv.tags !== undefined && !carriesCheckTag(mv.tags, ctx.state.checkId))
    ) {
      const what = `model version ${mv.name} v${mv.version}`;
      (ctx.state.foreign ??= []).push(what);
      return {
        status: 'fail',
        detail: `model-versions/create answered ${what}, which is not this check's (another model, run or tag): left alone`,
        failure: { kind: 'foreign-object', what },
      };
    }
    const v = mv.version;
    ctx.state.modelVersion = v;
    ctx.state.created.modelVersions.push(v);

    let status = version.data.model_version.status;
    let message = version.data.model_version.status_message;
    const deadline = Date.now() + ctx.options.registerWaitMs;
    let polls = 0;
    while (status === 'PENDING_REGISTRATION' && Date.now() < deadline && !ctx.signal.aborted) {
      await pause(Math.min(ctx.options.registerPollMs * 2 ** Math.min(polls, 3), 2000), ctx.signal);
      polls++;
      ctx.progress.update('register', `waiting for version ${v}: ${status} (poll ${polls})`);
      const got = await api.call(
        {
          step: 'register',
          label: ENDPOINT.modelVersionsGet,
          method: 'GET',
          endpoint: ENDPOINT.modelVersionsGet,
          query: { name, version: v },
        },
        GetModelVersion,
      );
      if (!got.ok) return callFailed(ENDPOINT.modelVersionsGet, got);
      status = got.data.model_version.status;
      message = got.data.model_version.status_message;
    }
    if (status === 'READY')
      return { status: 'pass', detail: `${name} v${v} READY${polls ? ` after ${polls} poll${polls > 1 ? 's' : ''}` : ''}` };
    if (status === 'FAILED_REGISTRATION') return { status: 'fail', detail: `v${v} FAILED_REGISTRATION${message ? `: ${message}` : ''}` };
    return { status: 'fail', detail: `v${v} still PENDING_REGISTRATION after ${Math.round(ctx.options.registerWaitMs / 1000)}s` };
  },
};
