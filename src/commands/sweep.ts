// `hokus-check sweep`: find leftovers of earlier checks that crashed before cleanup and delete them.
// A resource is ours only if it carries the `hokus-check.id` tag AND its name is `hokus-check-<that id>`;
// a look-alike name without the tag is never touched.
import { writeFileSync } from 'node:fs';
import { parseDuration } from '../config/durations.js';
import { UsageError } from '../config/errors.js';
import { resolveSettings, type FlagValues } from '../config/resolve.js';
import { EXIT } from '../exit-codes.js';
import { reportFatal } from '../fatal.js';
import { createHttp } from '../http/client.js';
import type { Http } from '../http/types.js';
import { fatalOut, type Io } from '../io.js';
import { MlflowApi } from '../mlflow/client.js';
import { deleteArtifactDir, deleteModelVersion, deleteRegisteredModel, deleteRun } from '../mlflow/deletes.js';
import { GetExperiment, SearchModelVersions, SearchRegisteredModels, SearchRuns } from '../mlflow/schemas.js';
import { runArtifactPath } from '../steps/artifact.js';
import { ARTIFACT_DIR, CHECK_EXPERIMENTS, CHECK_TAG, NAME_PREFIX, resourceName } from '../steps/naming.js';
import { resolveKeys } from './check.js';
import { keyOrigins } from './run-checks.js';

interface Leftover {
  kind: 'run' | 'registered-model';
  name: string;
  id: string;
  createdAt?: string;
  /** Runs: where their artifacts live. */
  artifactUri?: string;
  experimentId?: string;
  deleted?: boolean;
  error?: string;
}

export async function sweepCommand(opts: Record<string, unknown>, io: Io): Promise<void> {
  let http: Http | undefined;
  try {
    const olderThanMs = parseDuration(String(opts.olderThan ?? '1h'));
    const settings = resolveSettings({ flags: opts as FlagValues, env: io.env, cwd: io.cwd });
    const target = settings.targets[0];
    if (!target || settings.targets.length > 1) throw new UsageError(['sweep takes one target (one --env)']);
    const keys = await resolveKeys(settings, Boolean(opts.apiKeyStdin), io);
    const key = keys.get(target.name)?.key;
    http = createHttp({
      ...(key ? { key } : {}),
      keyOrigins: keyOrigins(target),
      timeoutMs: settings.check.timeoutMs,
      connectTimeoutMs: settings.check.connectTimeoutMs,
      retries: settings.check.retries,
      insecure: settings.check.insecure,
      signal: AbortSignal.timeout(settings.check.deadlineMs),
    });
    const base = target.kind === 'mlflow' ? (target.mlflowUrl ?? '') : `${target.registryUrl ?? ''}${target.mlflowPath}`;
    const api = new MlflowApi(http, base);
    const registryBase = target.mlflowDirectUrl ? `${target.mlflowDirectUrl}/api/2.0/mlflow` : undefined;
    const cutoff = Date.now() - olderThanMs;
    const dryRun = Boolean(opts.dryRun);

    const found = [...(await findRuns(api, cutoff)), ...(await findModels(api, cutoff))];
    for (const item of found) {
      if (dryRun) continue;
      const outcome = item.kind === 'run' ? await removeRun(http, api, base, item) : await removeModel(api, item, registryBase);
      item.deleted = outcome === undefined;
      if (outcome) item.error = outcome;
    }

    const verb = dryRun ? 'would delete' : 'deleted';
    // With --json - the JSON owns stdout; the lines for people go to stderr.
    const human = opts.json === '-' ? io.err : io.out;
    for (const item of found) {
      const what = `${item.kind} ${item.name}${item.kind === 'run' ? ` (${item.id})` : ''}${item.createdAt ? `, created ${item.createdAt}` : ''}`;
      human(item.error ? `could not delete ${what}: ${item.error}\n` : `${verb} ${what}\n`);
    }
    const failed = found.filter((f) => f.error).length;
    human(`${found.length} leftover${found.length === 1 ? '' : 's'} older than ${String(opts.olderThan ?? '1h')} found; ${dryRun ? 'dry run: nothing deleted' : `${found.length - failed} deleted, ${failed} not`}\n`);
    if (typeof opts.json === 'string') {
      const text = `${JSON.stringify({ dryRun, olderThanMs, leftovers: found }, null, 2)}\n`;
      if (opts.json === '-') io.out(text);
      else writeFileSync(opts.json, text);
    }
    await http.close();
    io.exit(failed > 0 ? EXIT.failed : EXIT.ok);
  } catch (err) {
    await http?.close();
    if (err instanceof SweepError) {
      io.err(`hokus-check: ${http ? http.redact(err.message) : err.message}\n`);
      io.exit(EXIT.failed);
    }
    io.exit(reportFatal(err, fatalOut(io), http ? (s) => http!.redact(s) : undefined));
  }
}

/** Check runs in every experiment the run step may have used (CHECK_EXPERIMENTS). */
async function findRuns(api: MlflowApi, cutoff: number): Promise<Leftover[]> {
  const out: Leftover[] = [];
  for (const name of CHECK_EXPERIMENTS) out.push(...(await findRunsIn(api, name, cutoff)));
  return out;
}

async function findRunsIn(api: MlflowApi, name: string, cutoff: number): Promise<Leftover[]> {
  const exp = await api.call(
    { step: 'sweep', label: 'experiments/get-by-name', method: 'GET', endpoint: 'experiments/get-by-name', query: { experiment_name: name } },
    GetExperiment,
  );
  if (!exp.ok) {
    if (exp.errorCode === 'RESOURCE_DOES_NOT_EXIST') return [];
    throw new SweepError(`sweep: experiments/get-by-name: ${exp.reason}`);
  }
  const runs = await api.call(
    {
      step: 'sweep',
      label: 'runs/search',
      method: 'POST',
      endpoint: 'runs/search',
      json: { experiment_ids: [exp.data.experiment.experiment_id], max_results: 1000, run_view_type: 'ACTIVE_ONLY' },
    },
    SearchRuns,
  );
  if (!runs.ok) throw new SweepError(`sweep: runs/search: ${runs.reason}`);
  const out: Leftover[] = [];
  for (const run of runs.data.runs ?? []) {
    const tags = new Map((run.data?.tags ?? []).map((t) => [t.key, t.value ?? '']));
    const id = tags.get(CHECK_TAG);
    const name = run.info.run_name ?? tags.get('mlflow.runName') ?? '';
    if (!id || name !== resourceName(id)) continue;
    const started = Number(run.info.start_time ?? 0);
    if (!(started > 0 && started <= cutoff)) continue;
    out.push({
      kind: 'run',
      name,
      id: run.info.run_id,
      createdAt: new Date(started).toISOString(),
      artifactUri: run.info.artifact_uri,
      experimentId: run.info.experiment_id,
    });
  }
  return out;
}

async function findModels(api: MlflowApi, cutoff: number): Promise<Leftover[]> {
  const models = await api.call(
    {
      step: 'sweep',
      label: 'registered-models/search',
      method: 'GET',
      endpoint: 'registered-models/search',
      query: { filter: `name LIKE '${NAME_PREFIX}%'`, max_results: 1000 },
    },
    SearchRegisteredModels,
  );
  if (!models.ok) throw new SweepError(`sweep: registered-models/search: ${models.reason}`);
  const out: Leftover[] = [];
  for (const model of models.data.registered_models ?? []) {
    const id = (model.tags ?? []).find((t) => t.key === CHECK_TAG)?.value;
    if (!id || model.name !== resourceName(id)) continue;
    const created = Number(model.creation_timestamp ?? 0);
    if (!(created > 0 && created <= cutoff)) continue;
    out.push({ kind: 'registered-model', name: model.name, id, createdAt: new Date(created).toISOString() });
  }
  return out;
}

async function removeRun(http: Http, api: MlflowApi, base: string, item: Leftover): Promise<string | undefined> {
  const dir = `${runArtifactPath(item.artifactUri, item.experimentId, item.id)}/${ARTIFACT_DIR}`;
  // The directory may not exist (the check crashed before its upload): only the run delete must succeed.
  await deleteArtifactDir(http, 'sweep', `${base}/api/2.0/mlflow-artifacts/artifacts`, dir, true);
  const r = await deleteRun(api, 'sweep', item.id);
  return r.ok ? undefined : r.reason;
}

async function removeModel(api: MlflowApi, item: Leftover, registryBase: string | undefined): Promise<string | undefined> {
  const versions = await api.call(
    { step: 'sweep', label: 'model-versions/search', method: 'GET', endpoint: 'model-versions/search', query: { filter: `name='${item.name}'` } },
    SearchModelVersions,
  );
  if (versions.ok) {
    for (const v of versions.data.model_versions ?? []) {
      const r = await deleteModelVersion(api, 'sweep', item.name, v.version, registryBase);
      if (!r.ok) return `model-versions/delete v${v.version}: ${r.reason}`;
    }
  }
  const r = await deleteRegisteredModel(api, 'sweep', item.name, registryBase);
  return r.ok ? undefined : `registered-models/delete: ${r.reason}`;
}

/** The target answered a search wrongly or not at all: nothing can be swept (exit 1). */
class SweepError extends Error {}
