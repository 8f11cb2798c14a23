// `hokus-check sweep`: find leftovers of earlier checks that crashed before cleanup and delete them.
// A resource is ours only if it carries the `hokus-check.id` tag with a check id (12 hex characters)
// AND its name is `hokus-check-<that id>`; a look-alike is never touched. A run's artifacts are deleted
// only at that run's own location (mlflow/artifact-path.ts). Searches follow next_page_token, up to a bound.
// Everything printed or written passes the last redaction and sanitising pass (report/safe-output.ts).
import { writeFileSync } from 'node:fs';
import { resolve as resolvePath } from 'node:path';
import { parseDuration } from '../config/durations.js';
import { UsageError } from '../config/errors.js';
import { resolveSettings, type FlagValues } from '../config/resolve.js';
import { EXIT } from '../exit-codes.js';
import { fatalOut, type Factory } from '../factory.js';
import { reportFatal } from '../fatal.js';
import type { Http } from '../http/types.js';
import { MlflowApi } from '../mlflow/client.js';
import { filterString } from '../mlflow/filter-string.js';
import { deleteArtifactDir, deleteModelVersion, deleteRegisteredModel, deleteRun } from '../mlflow/deletes.js';
import { GetExperiment, SearchModelVersions, SearchRegisteredModels, SearchRuns } from '../mlflow/schemas.js';
import { runArtifactPath } from '../mlflow/artifact-path.js';
import { safeIo, safeText } from '../report/safe-output.js';
import { ARTIFACT_DIR, CHECK_EXPERIMENTS, CHECK_TAG, isCheckId, NAME_PREFIX, resourceName } from '../mlflow/naming.js';
import { mlflowArtifactsUrl, mlflowBaseUrl, mlflowRestUrl } from '../mlflow/urls.js';
import { targetHttpOptions } from './http-settings.js';
import { resolveKeys } from './keys.js';

/** --older-than is a cutoff, not a timer: up to ten years. */
const OLDER_THAN_MAX_MS = 10 * 365 * 24 * 3_600_000;

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

/** Pages of a search sweep reads at most (1000 results each): a server that never ends its pages cannot hold it. */
export const MAX_SEARCH_PAGES = 20;

export async function sweepCommand(opts: Record<string, unknown>, f: Factory): Promise<number> {
  return runSweep(opts, f);
}

/** The sweep itself; returns the exit code. */
export async function runSweep(opts: Record<string, unknown>, f: Factory): Promise<number> {
  const rawIo = f.io;
  let http: Http | undefined;
  let io = rawIo;
  try {
    const olderThanMs = parseDuration(String(opts.olderThan ?? '1h'), OLDER_THAN_MAX_MS);
    const settings = resolveSettings({ flags: opts as FlagValues, env: f.env, cwd: f.cwd });
    const target = settings.targets[0];
    if (!target || settings.targets.length > 1) throw new UsageError(['sweep takes one target (one --env)']);
    const keys = await resolveKeys(settings, Boolean(opts.apiKeyStdin), f);
    const key = keys.get(target.name)?.key;
    // The same client settings as the check (--ca-file, HTTP(S)_PROXY, User-Agent).
    const client = f.http(targetHttpOptions(target, key, settings.check, f, AbortSignal.timeout(settings.check.deadlineMs)));
    http = client;
    io = safeIo(rawIo, client.redact);
    const base = mlflowBaseUrl(target);
    const api = new MlflowApi(http, base);
    const registryBase = target.mlflowDirectUrl ? mlflowRestUrl(target.mlflowDirectUrl) : undefined;
    const cutoff = f.clock.now() - olderThanMs;
    const dryRun = Boolean(opts.dryRun);

    const found = [...(await findRuns(api, cutoff)), ...(await findModels(api, cutoff))];
    for (const item of found) {
      if (dryRun) continue;
      const outcome = item.kind === 'run' ? await removeRun(client, api, base, item) : await removeModel(api, item, registryBase);
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
      const text = safeText(`${JSON.stringify({ dryRun, olderThanMs, leftovers: found }, null, 2)}\n`, client.redact, { format: 'json' });
      if (opts.json === '-') rawIo.out(text);
      else writeFileSync(resolvePath(f.cwd, opts.json), text);
    }
    await client.close();
    return failed > 0 ? EXIT.failed : EXIT.ok;
  } catch (err) {
    await http?.close();
    if (err instanceof SweepError) {
      io.err(`hokus-check: ${http ? http.redact(err.message) : err.message}\n`);
      return EXIT.failed;
    }
    return reportFatal(err, fatalOut({ io, env: f.env }), http ? (s) => http!.redact(s) : undefined);
  }
}

/** Check runs in every experiment the run step may have used (CHECK_EXPERIMENTS). */
async function findRuns(api: MlflowApi, cutoff: number): Promise<Leftover[]> {
  const out: Leftover[] = [];
  // Each experiment once, whatever names lead to it (a server may answer any name with one).
  const searched = new Set<string>();
  for (const name of CHECK_EXPERIMENTS) out.push(...(await findRunsIn(api, name, cutoff, searched)));
  return out;
}

async function findRunsIn(api: MlflowApi, name: string, cutoff: number, searched: Set<string>): Promise<Leftover[]> {
  const exp = await api.call(
    { step: 'sweep', label: 'experiments/get-by-name', method: 'GET', endpoint: 'experiments/get-by-name', query: { experiment_name: name } },
    GetExperiment,
  );
  if (!exp.ok) {
    if (exp.errorCode === 'RESOURCE_DOES_NOT_EXIST') return [];
    throw new SweepError(`sweep: experiments/get-by-name: ${exp.reason}`);
  }
  if (searched.has(exp.data.experiment.experiment_id)) return [];
  searched.add(exp.data.experiment.experiment_id);
  const runs = await pages('runs/search', async (pageToken) => {
    const r = await api.call(
      {
        step: 'sweep',
        label: 'runs/search',
        method: 'POST',
        endpoint: 'runs/search',
        json: {
          experiment_ids: [exp.data.experiment.experiment_id],
          max_results: 1000,
          run_view_type: 'ACTIVE_ONLY',
          ...(pageToken ? { page_token: pageToken } : {}),
        },
      },
      SearchRuns,
    );
    return r.ok ? { ok: true, items: r.data.runs ?? [], next: r.data.next_page_token } : { ok: false, reason: r.reason };
  });
  const out: Leftover[] = [];
  for (const run of runs) {
    const tags = new Map((run.data?.tags ?? []).map((t) => [t.key, t.value ?? '']));
    const id = tags.get(CHECK_TAG);
    const name = run.info.run_name ?? tags.get('mlflow.runName') ?? '';
    if (!isCheckId(id) || name !== resourceName(id)) continue;
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
  const models = await pages('registered-models/search', async (pageToken) => {
    const r = await api.call(
      {
        step: 'sweep',
        label: 'registered-models/search',
        method: 'GET',
        endpoint: 'registered-models/search',
        query: { filter: `name LIKE ${filterString(`${NAME_PREFIX}%`)}`, max_results: 1000, ...(pageToken ? { page_token: pageToken } : {}) },
      },
      SearchRegisteredModels,
    );
    return r.ok ? { ok: true, items: r.data.registered_models ?? [], next: r.data.next_page_token } : { ok: false, reason: r.reason };
  });
  const out: Leftover[] = [];
  for (const model of models) {
    const id = (model.tags ?? []).find((t) => t.key === CHECK_TAG)?.value;
    if (!isCheckId(id) || model.name !== resourceName(id)) continue;
    const created = Number(model.creation_timestamp ?? 0);
    if (!(created > 0 && created <= cutoff)) continue;
    out.push({ kind: 'registered-model', name: model.name, id, createdAt: new Date(created).toISOString() });
  }
  return out;
}

async function removeRun(http: Http, api: MlflowApi, base: string, item: Leftover): Promise<string | undefined> {
  const location = runArtifactPath(item.artifactUri, item.experimentId, item.id);
  // A run whose artifact location is not its own is not touched at all: something else made it so.
  if (!location.ok) return `not touched: ${location.problem}`;
  const dir = `${location.path}/${ARTIFACT_DIR}`;
  // The directory may not exist (the check crashed before its upload): only the run delete must succeed.
  await deleteArtifactDir(http, 'sweep', mlflowArtifactsUrl(base), dir, true);
  const r = await deleteRun(api, 'sweep', item.id);
  return r.ok ? undefined : r.reason;
}

async function removeModel(api: MlflowApi, item: Leftover, registryBase: string | undefined): Promise<string | undefined> {
  const versions = await api.call(
    { step: 'sweep', label: 'model-versions/search', method: 'GET', endpoint: 'model-versions/search', query: { filter: `name=${filterString(item.name)}` } },
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

type Page<T> = { ok: true; items: T[]; next?: string | undefined } | { ok: false; reason: string };

/** Every page of a search, following next_page_token, at most MAX_SEARCH_PAGES; a repeated token ends it. */
async function pages<T>(label: string, fetch: (pageToken: string | undefined) => Promise<Page<T>>): Promise<T[]> {
  const all: T[] = [];
  const seen = new Set<string>();
  let token: string | undefined;
  for (let page = 0; page < MAX_SEARCH_PAGES; page++) {
    const r = await fetch(token);
    if (!r.ok) throw new SweepError(`sweep: ${label}: ${r.reason}`);
    all.push(...r.items);
    if (!r.next || seen.has(r.next)) return all;
    seen.add(r.next);
    token = r.next;
  }
  throw new SweepError(`sweep: ${label}: more than ${MAX_SEARCH_PAGES} pages of results; stopped (nothing was deleted)`);
}

/** The target answered a search wrongly or not at all: nothing can be swept (exit 1). */
class SweepError extends Error {}
