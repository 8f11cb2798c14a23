// Step `cleanup`: delete exactly what this check created, newest first. Always runs, also after a
// failure or Ctrl-C. What cannot be deleted is named (warn), never silently left behind.
//
// It deletes only what it can prove is the check's own: an object the server's create answer showed
// with the check's `hokus-check.id` tag and name (steps/run.ts, steps/register.ts), or one it finds by
// that tag. A create that got no answer is not taken to have made nothing: cleanup looks for the
// object by its tag and name until a create that lands late would have landed, and names what it
// found, or what may still appear. A run whose artifacts could not be deleted stays, tagged, so
// `hokus-check sweep` can finish both.
import { deleteArtifactDir, deleteModelVersion, deleteRegisteredModel, deleteRun, type DeleteOutcome } from '../mlflow/deletes.js';
import { MlflowApi } from '../mlflow/client.js';
import { mlflowRestUrl } from '../mlflow/urls.js';
import { findRunsByCheckId } from '../mlflow/find-runs.js';
import { CHECK_TAG, carriesCheckTag } from '../mlflow/naming.js';
import { GetRegisteredModel } from '../mlflow/schemas.js';
import type { Step, StepContext, StepOutcome } from './types.js';
import { pause } from './pause.js';
import { ENDPOINT } from '../mlflow/endpoints.js';

export const cleanupStep: Step = {
  id: 'cleanup',
  dependsOn: [],
  async run(ctx: StepContext): Promise<StepOutcome> {
    const created = ctx.state.created;
    const checkId = ctx.state.checkId;
    const api = new MlflowApi(ctx.http, ctx.mlflowBase);
    // The real proxy forwards no body on DELETE: registry deletes go direct when we may.
    const registryBase = ctx.target.mlflowDirectUrl ? mlflowRestUrl(ctx.target.mlflowDirectUrl) : undefined;
    const leftovers: string[] = [];
    const notes: string[] = (ctx.state.foreign ?? []).map((f) => `left alone: ${f}, which a create answered with but is not this check's`);
    let deleted = 0;
    /** Objects whose create gave no answer of ours, found by tag and deleted: said in the detail. */
    const lateFound: string[] = [];
    const tally = (what: string, outcome: DeleteOutcome): boolean => {
      if (outcome.ok) {
        deleted++;
        (ctx.state.removed ??= []).push(what);
      } else {
        leftovers.push(what);
        notes.push(`${what}: ${outcome.reason}`);
      }
      return outcome.ok;
    };
    const late = lateWindow(ctx);

    // Two rounds of independent deletes, each sent at once in a fixed order (so the evidence numbers
    // them the same way every time): the model's versions and the artifact directories, then the
    // model and the run — a run only once its artifacts are gone. Tallied in the order of the objects.
    const model = created.modelName && !created.modelUnconfirmed ? created.modelName : undefined;
    const versions = model ? [...created.modelVersions].reverse() : [];
    const dirs = [...created.artifactDirs].reverse();
    const [versionOutcomes, dirOutcomes] = await Promise.all([
      Promise.all(versions.map((v) => deleteModelVersion(api, 'cleanup', model!, v, registryBase))),
      Promise.all(dirs.map((dir) => deleteArtifactDir(ctx.http, 'cleanup', dir.base, dir.path, dir.withKey))),
    ]);
    const artifactsLeft = dirOutcomes.some((o) => !o.ok);
    const runToDelete = created.runId !== undefined && !artifactsLeft ? created.runId : undefined;
    const [modelOutcome, runOutcome] = await Promise.all([
      model ? deleteRegisteredModel(api, 'cleanup', model, registryBase) : undefined,
      runToDelete ? deleteRun(api, 'cleanup', runToDelete) : undefined,
    ]);
    versions.forEach((v, i) => tally(`model version ${model} v${v}`, versionOutcomes[i]!));
    if (model && modelOutcome) tally(`registered model ${model}`, modelOutcome);
    dirs.forEach((dir, i) => tally(`artifacts ${dir.path}/`, dirOutcomes[i]!));
    if (created.runId) {
      if (runOutcome) tally(`run ${created.runId}`, runOutcome);
      else {
        // A deleted run's artifacts are out of every search: the run stays, tagged, for sweep.
        leftovers.push(
          `run ${created.runId} (kept, tagged ${CHECK_TAG}=${checkId}, so that \`hokus-check sweep\` deletes its artifacts and then it)`,
        );
      }
    } else if (created.runUnconfirmed && created.experimentId) {
      // runs/create got no answer (or a foreign one): find the run the server made, by this check's tag.
      const experimentId = created.experimentId;
      const found = await late.poll(async () => {
        const r = await findRunsByCheckId(api, 'cleanup', experimentId, checkId);
        if (!r.ok) return { error: r.reason };
        return r.runIds.length > 0 ? { runIds: r.runIds } : undefined;
      });
      if (found === undefined) {
        leftovers.push(`a run tagged ${CHECK_TAG}=${checkId}, if runs/create still lands (none within ${late.seconds} s)`);
        notes.push(
          `runs/create got no answer of this check's and no run tagged ${CHECK_TAG}=${checkId} appeared within ${late.seconds} s: \`hokus-check sweep\` removes it if it lands later`,
        );
      } else if ('error' in found) {
        leftovers.push(`a run tagged ${CHECK_TAG}=${checkId} (if runs/create reached the server)`);
        notes.push(`runs/search: ${found.error}`);
      } else {
        for (const runId of found.runIds) {
          if (tally(`run ${runId}`, await deleteRun(api, 'cleanup', runId))) lateFound.push(`run ${runId}`);
        }
      }
    }

    // Last, with what is left of the budget: creates that got no answer may land late.
    if (created.modelName && created.modelUnconfirmed) {
      const name = created.modelName;
      // registered-models/create got no answer: is the model there, or does it land late?
      const found = await late.poll(async () => {
        const got = await api.call(
          {
            step: 'cleanup',
            label: ENDPOINT.registeredModelsGet,
            method: 'GET',
            endpoint: ENDPOINT.registeredModelsGet,
            query: { name },
            ...(registryBase ? { restBase: registryBase } : {}),
          },
          GetRegisteredModel,
        );
        if (got.ok) return { found: got.data.registered_model };
        return got.errorCode === 'RESOURCE_DOES_NOT_EXIST' ? undefined : { error: got.reason };
      });
      if (found === undefined) {
        leftovers.push(`registered model ${name}, if its create still lands (none within ${late.seconds} s)`);
        notes.push(
          `registered-models/create got no answer and no model ${name} appeared within ${late.seconds} s: \`hokus-check sweep\` removes it if it lands later`,
        );
      } else if ('error' in found) {
        leftovers.push(`registered model ${name}, if registered-models/create reached the server`);
        notes.push(`registered-models/get: ${found.error}`);
      } else if (!carriesCheckTag(found.found.tags, checkId)) {
        notes.push(`left alone: registered model ${name}, which exists without this check's ${CHECK_TAG} tag`);
      } else if (tally(`registered model ${name}`, await deleteRegisteredModel(api, 'cleanup', name, registryBase))) {
        lateFound.push(`registered model ${name}`);
      }
    }

    ctx.state.leftovers = leftovers;
    const found = lateFound.length > 0 ? ` (${lateFound.join(', ')}: its create gave no answer of ours; found by its tag and name)` : '';
    if (deleted === 0 && leftovers.length === 0) return { status: 'pass', detail: 'nothing to delete', notes };
    if (leftovers.length > 0)
      return {
        status: 'warn',
        detail: `${leftovers.length} left behind: ${leftovers.join('; ')}${deleted > 0 ? `; deleted ${deleted}${found}` : ''}`,
        notes,
      };
    return { status: 'pass', detail: `deleted ${deleted} resource${deleted === 1 ? '' : 's'}${found}`, notes };
  },
};

type Polled<T> = T | { error: string } | undefined;

/**
 * How long a create that got no answer may still land: twice the request timeout (a server busy
 * past the client's patience), at least 3 s, at most 8 s, and ending a request timeout (at most
 * 1 s) before the cleanup budget (`ctx.endsAt`), so the last look still gets its answer. `poll`
 * asks until the answer is found, an error comes, the window ends or the cleanup's signal fires;
 * `seconds` is how long the last poll looked, for the notes.
 */
function lateWindow(ctx: StepContext): {
  readonly seconds: number;
  poll: <T extends object>(look: () => Promise<Polled<T>>) => Promise<Polled<T>>;
} {
  const wanted = Math.min(Math.max(2 * ctx.options.timeoutMs, 3000), 8000);
  const margin = Math.min(ctx.options.timeoutMs, 1000);
  let looked = 0;
  return {
    get seconds() {
      return Math.round(looked / 100) / 10;
    },
    poll: async (look) => {
      const from = performance.now();
      const until = Math.min(from + wanted, ctx.endsAt === undefined ? Infinity : ctx.endsAt - margin);
      let wait = 250;
      try {
        for (;;) {
          const got = await look();
          if (got !== undefined || performance.now() + wait > until || ctx.signal.aborted) return got;
          await pause(wait, ctx.signal);
          wait = Math.min(wait * 2, 1000);
        }
      } finally {
        looked = performance.now() - from;
      }
    },
  };
}
