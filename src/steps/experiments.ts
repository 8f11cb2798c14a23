// Step `experiments`: list experiments through the proxy — the first MLflow call a user's client makes.
import { MlflowApi } from '../mlflow/client.js';
import { SearchExperiments } from '../mlflow/schemas.js';
import { callFailed } from './outcome.js';
import type { Step, StepContext, StepOutcome } from './types.js';
import { ENDPOINT } from '../mlflow/endpoints.js';

export const experimentsStep: Step = {
  id: 'experiments',
  dependsOn: [],
  // Soft: without an auth URL the auth step is skipped and the registry's own answers tell.
  softDependsOn: ['auth'],
  async run(ctx: StepContext): Promise<StepOutcome> {
    const api = new MlflowApi(ctx.http, ctx.mlflowBase);
    // GET with max_results: without it MLflow answers 400 "Invalid value for max_results".
    const r = await api.call(
      {
        step: 'experiments',
        label: ENDPOINT.experimentsSearch,
        method: 'GET',
        endpoint: ENDPOINT.experimentsSearch,
        query: { max_results: 1 },
      },
      SearchExperiments,
    );
    if (!r.ok) return callFailed(undefined, r);
    const n = r.data.experiments?.length ?? 0;
    return { status: 'pass', detail: n === 0 ? 'listed (none yet)' : 'listed' };
  },
};
