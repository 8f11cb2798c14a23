// Step `cleanup`: delete exactly what this check created, newest first. Always runs, also after a
// failure or Ctrl-C. What cannot be deleted is named (warn), never silently left behind.
import { deleteArtifactDir, deleteModelVersion, deleteRegisteredModel, deleteRun, type DeleteOutcome } from '../mlflow/deletes.js';
import { MlflowApi } from '../mlflow/client.js';
import { mlflowRestUrl } from '../mlflow/urls.js';
import { findRunsByCheckId } from '../mlflow/find-runs.js';
import { CHECK_TAG } from '../mlflow/naming.js';
import type { Step, StepContext, StepOutcome } from './types.js';

export const cleanupStep: Step = {
  id: 'cleanup',
  dependsOn: [],
  async run(ctx: StepContext): Promise<StepOutcome> {
    const created = ctx.state.created;
    const api = new MlflowApi(ctx.http, ctx.mlflowBase);
    // The real proxy forwards no body on DELETE: registry deletes go direct when we may.
    const registryBase = ctx.target.mlflowDirectUrl ? mlflowRestUrl(ctx.target.mlflowDirectUrl) : undefined;
    const leftovers: string[] = [];
    const failures: string[] = [];
    let deleted = 0;
    const tally = (what: string, outcome: DeleteOutcome) => {
      if (outcome.ok) deleted++;
      else {
        leftovers.push(what);
        failures.push(`${what}: ${outcome.reason}`);
      }
    };

    if (created.modelName) {
      const name = created.modelName;
      for (const version of [...created.modelVersions].reverse()) {
        tally(`model version ${name} v${version}`, await deleteModelVersion(api, 'cleanup', name, version, registryBase));
      }
      const outcome = await deleteRegisteredModel(api, 'cleanup', name, registryBase);
      // A create that got no answer may never have reached the server: then there is nothing to delete.
      const neverCreated = created.modelUnconfirmed === true && !outcome.ok && /RESOURCE_DOES_NOT_EXIST/.test(outcome.reason);
      if (!neverCreated) tally(`registered model ${name}`, outcome);
    }
    for (const dir of [...created.artifactDirs].reverse()) {
      tally(`artifacts ${dir.path}/`, await deleteArtifactDir(ctx.http, 'cleanup', dir.base, dir.path, dir.withKey));
    }
    if (created.runId) tally(`run ${created.runId}`, await deleteRun(api, 'cleanup', created.runId));
    else if (created.runUnconfirmed && created.experimentId) {
      // The create got no answer: find a run the server made anyway by this check's tag.
      const found = await findRunsByCheckId(api, created.experimentId, ctx.state.checkId);
      if (!found.ok) {
        leftovers.push(`a run tagged ${CHECK_TAG}=${ctx.state.checkId} (if runs/create reached the server)`);
        failures.push(`runs/search: ${found.reason}`);
      }
      for (const runId of found.ok ? found.runIds : []) tally(`run ${runId}`, await deleteRun(api, 'cleanup', runId));
    }

    ctx.state.leftovers = leftovers;
    if (deleted === 0 && leftovers.length === 0) return { status: 'pass', detail: 'nothing to delete' };
    if (leftovers.length > 0) {
      return { status: 'warn', detail: `${leftovers.length} left behind: ${leftovers.join('; ')}`, notes: failures };
    }
    return { status: 'pass', detail: `deleted ${deleted} resource${deleted === 1 ? '' : 's'}` };
  },
};
