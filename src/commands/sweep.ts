// `hokus-check sweep`: find leftovers of earlier checks that crashed before cleanup and delete them.
// A resource is ours only if it carries the `hokus-check.id` tag with a check id (12 hex characters)
// AND its name is `hokus-check-<that id>`; a look-alike is never touched. A run's artifacts are deleted
// only at that run's own location (mlflow/artifact-path.ts). Searches follow next_page_token, up to a bound.
// Everything printed or written passes the last redaction and sanitising pass (report/safe-output.ts).
//
// Age is measured by the checks' clock, never by the MLflow server's: a check writes the
// `hokus-check.created` tag with its machine's time (steps/run.ts, steps/register.ts) and a run's
// start_time itself (steps/run.ts); a server timestamp (the creation_timestamp of a model made by an
// older hokus-check) is moved by the offset between the server's Date header and this machine's
// clock. What a check still in flight may have made is never deleted: `--older-than` below a check's
// deadline plus its cleanup budget is refused without `--force`, and an object whose age cannot be
// told is left alone. Deleted check runs are looked at too: their artifact directory, if it is still
// there (an artifact DELETE failed while the run was deleted), is deleted.
import { writeFileSync } from 'node:fs';
import { resolve as resolvePath } from 'node:path';
import type { z } from 'zod';
import type { SweepFlags } from '../cli-flags.js';
import { DEFAULTS } from '../config/defaults.js';
import { parseDuration } from '../config/durations.js';
import { UsageError } from '../config/errors.js';
import { resolveSettings } from '../config/resolve.js';
import { EXIT } from '../exit-codes.js';
import { fatalOut, type Clock, type Factory } from '../factory.js';
import { reportFatal } from '../fatal.js';
import type { Http } from '../http/types.js';
import { interpret, MlflowApi } from '../mlflow/client.js';
import { filterString } from '../mlflow/filter-string.js';
import { deleteArtifactDir, deleteModelVersion, deleteRegisteredModel, deleteRun } from '../mlflow/deletes.js';
import { searchRunsPage, type RunView } from '../mlflow/find-runs.js';
import { ArtifactList, GetExperiment, SearchModelVersions, SearchRegisteredModels, type Run } from '../mlflow/schemas.js';
import { runArtifactPath } from '../mlflow/artifact-path.js';
import { safeIo, safeText } from '../report/safe-output.js';
import { ARTIFACT_DIR, CHECK_EXPERIMENTS, CHECK_TAG, CREATED_TAG, isCheckId, NAME_PREFIX, resourceName } from '../mlflow/naming.js';
import { mlflowArtifactsUrl, mlflowBaseUrl, mlflowRestUrl } from '../mlflow/urls.js';
import { targetHttpOptions } from './http-settings.js';
import { credentialOf, resolveKeys } from './keys.js';
import { LABEL } from '../steps/labels.js';
import { CLEANUP_BUDGET_MS } from '../steps/types.js';
import { ENDPOINT } from '../mlflow/endpoints.js';

/** --older-than is a cutoff, not a timer: up to ten years. */
const OLDER_THAN_MAX_MS = 10 * 365 * 24 * 3_600_000;

/** Pages of a search sweep reads at most (1000 results each): a server that never ends its pages cannot hold it. */
export const MAX_SEARCH_PAGES = 20;

/** The built-in --deadline (config/defaults.ts): checks run with the defaults, by anyone, take up to this. */
const DEFAULT_CHECK_DEADLINE_MS = parseDuration(DEFAULTS.deadline);

/** Clocks further apart than this disagree: said in one line and in --json. */
export const CLOCK_DISAGREEMENT_MS = 60_000;

/**
 * Deleted check runs whose `hokus-check/` directory one sweep lists at most (one GET each), newest
 * first among those older than --older-than: deleted runs pile up with every check, and a larger
 * --older-than reaches further back.
 */
export const MAX_DELETED_RUNS_EXAMINED = 500;

type Kind = 'run' | 'registered-model' | 'artifacts';
/** Where an age came from: the check's tag, a run's start_time (written by the check), or a server timestamp moved by the clock offset. */
type AgeFrom = 'hokus-check.created' | 'start_time' | 'creation_timestamp';

interface Leftover {
  /** 'artifacts': the artifact directory of a deleted check run. */
  kind: Kind;
  name: string;
  id: string;
  /** When it was made, on this machine's clock (the youngest reading). */
  createdAt?: string;
  ageFrom?: AgeFrom;
  /** Runs: where their artifacts live. */
  artifactUri?: string;
  experimentId?: string;
  /** 'artifacts': the directory, under the artifact proxy. */
  path?: string;
  deleted?: boolean;
  error?: string;
}

/** Something found that is ours, before its age is judged. */
interface Candidate {
  leftover: Leftover;
  /** The `hokus-check.created` tag: the check's machine's time, ms. */
  createdTag?: number;
  /** A run's start_time: the check sends it (steps/run.ts), so it is the check's clock too. */
  startTime?: number;
  /** A timestamp the server stamped with its own clock (registered models' creation_timestamp). */
  serverStamp?: number;
}

export async function sweepCommand(opts: SweepFlags, f: Factory): Promise<number> {
  return runSweep(opts, f);
}

/** The sweep itself; returns the exit code. */
export async function runSweep(opts: SweepFlags, f: Factory): Promise<number> {
  const rawIo = f.io;
  let http: Http | undefined;
  let io = rawIo;
  try {
    const olderThanMs = parseDuration(opts.olderThan, OLDER_THAN_MAX_MS);
    const settings = resolveSettings({ flags: opts, env: f.env, cwd: f.cwd });
    const target = settings.targets[0];
    if (!target || settings.targets.length > 1) throw new UsageError(['sweep takes one target (one --env)']);
    const force = opts.force === true;
    // --check-id: one check's leftovers, named by a check that ended (it printed the command): any age.
    const only = opts.checkId;
    if (only !== undefined && !isCheckId(only))
      throw new UsageError(
        `--check-id ${JSON.stringify((opts.checkId ?? '').slice(0, 40))}: a check id is 12 hex characters, as the check printed it`,
      );
    const inFlight = inFlightBound(settings.check.deadlineMs);
    if (only === undefined && olderThanMs < inFlight.ms && !force) {
      throw new UsageError(
        `--older-than ${shortDuration(olderThanMs)} is shorter than a check can run (${inFlight.text}), so it could delete what a running check made; give --older-than ${shortDuration(inFlight.ms)} or more, or add --force`,
      );
    }
    const keys = await resolveKeys(settings, opts.apiKeyStdin === true, f);
    const key = credentialOf(keys.get(target.name));
    // The same client settings as the check (--ca-file, HTTP(S)_PROXY, User-Agent).
    const client = f.http(targetHttpOptions(target, key, settings.check, f, AbortSignal.timeout(settings.check.deadlineMs)));
    http = client;
    io = safeIo(rawIo, (text) => client.redact(text));
    // Every answer's Date header, against this machine's clock at the time: the server's clock offset.
    const dates: DateSample[] = [];
    const sampled = sampleDates(client, f.clock, dates);
    const base = mlflowBaseUrl(target);
    const api = new MlflowApi(sampled, base);
    const registryBase = target.mlflowDirectUrl ? mlflowRestUrl(target.mlflowDirectUrl) : undefined;
    const now = f.clock.now();
    const dryRun = opts.dryRun === true;
    const notes = new Notes();
    if (only === undefined && olderThanMs < inFlight.ms)
      notes.warn(
        `--force: --older-than ${shortDuration(olderThanMs)} is shorter than a check can run (${shortDuration(inFlight.ms)}): what running checks made may be deleted`,
      );
    const cutoff = { now, olderThanMs: only === undefined ? olderThanMs : 0 };
    const ours = (id: string) => only === undefined || id === only;

    const runs = await findRuns(api, sampled, base, cutoff, notes, ours);
    const models = (await findModels(api)).filter((c) => ours(c.leftover.id));
    // After the searches: every answer so far carried the server's Date.
    const clock = serverClock(dates);
    if (clock.disagrees) {
      const ahead = clock.offsetMs! > 0;
      notes.warn(
        `the MLflow server's clock is ${shortDuration(Math.abs(clock.offsetMs!), 'coarse')} ${ahead ? 'ahead of' : 'behind'} this machine's (offset ${ahead ? '+' : '-'}${Math.round(Math.abs(clock.offsetMs!) / 1000)} s, from its Date header): ages are by this machine's clock — the checks' ${CREATED_TAG} tags, and server timestamps moved by the offset`,
      );
    }
    const oldModels = models.filter((c) => oldEnough(c, cutoff, clock, notes, 'the server sent no Date header')).map((c) => c.leftover);
    const found: Leftover[] = [...runs.active, ...runs.orphaned, ...oldModels];

    for (const item of found) {
      if (dryRun) continue;
      const outcome =
        item.kind === 'run'
          ? await removeRun(sampled, api, base, item)
          : item.kind === 'artifacts'
            ? await removeArtifacts(sampled, base, item)
            : await removeModel(api, item, registryBase);
      item.deleted = outcome === undefined;
      if (outcome) item.error = outcome;
    }

    // With --json - the JSON owns stdout; the lines for people go to stderr.
    const human = (line: string) => (opts.json === '-' ? io.err(line) : io.out(line));
    for (const note of notes.lines) io.err(`hokus-check: ${note.warning ? 'warning: ' : ''}${note.text}\n`);
    const verb = dryRun ? 'would delete' : 'deleted';
    for (const item of found) {
      const what = describe(item);
      human(item.error ? `could not delete ${what}: ${item.error}\n` : `${verb} ${what}\n`);
    }
    const failed = found.filter((x) => x.error).length;
    human(
      `${found.length} leftover${found.length === 1 ? '' : 's'} older than ${opts.olderThan} found; ${dryRun ? 'dry run: nothing deleted' : `${found.length - failed} deleted, ${failed} not`}\n`,
    );
    if (typeof opts.json === 'string') {
      const doc = {
        dryRun,
        olderThanMs,
        force,
        serverClock: { offsetMs: clock.offsetMs ?? null, dateHeaders: clock.samples, disagrees: clock.disagrees },
        deletedRuns: runs.deleted,
        notes: notes.lines.map((n) => n.text),
        leftovers: found,
      };
      const text = safeText(`${JSON.stringify(doc, null, 2)}\n`, (text) => client.redact(text), { format: 'json' });
      if (opts.json === '-') rawIo.out(text);
      else writeFileSync(resolvePath(f.cwd, opts.json), text);
    }
    await client.close();
    return failed > 0 || runs.deleted.failed ? EXIT.failed : EXIT.ok;
  } catch (err) {
    await http?.close();
    if (err instanceof SweepError) {
      io.err(`hokus-check: ${http ? http.redact(err.message) : err.message}\n`);
      return EXIT.failed;
    }
    return reportFatal(err, fatalOut({ io, env: f.env }), http ? (s) => http!.redact(s) : undefined);
  }
}

/**
 * How long a check may still be running after it made something: its deadline (the configured one,
 * and never less than the built-in one other people's checks run with) plus the cleanup budget.
 */
function inFlightBound(deadlineMs: number): { ms: number; text: string } {
  const deadline = Math.max(deadlineMs, DEFAULT_CHECK_DEADLINE_MS);
  const ms = deadline + CLEANUP_BUDGET_MS;
  return { ms, text: `deadline ${shortDuration(deadline)} + cleanup ${shortDuration(CLEANUP_BUDGET_MS)} = ${shortDuration(ms)}` };
}

function describe(item: Leftover): string {
  const created = item.createdAt ? `, created ${item.createdAt}` : '';
  if (item.kind === 'artifacts') return `artifacts ${item.path}/ of deleted run ${item.name} (${item.id})${created}`;
  return `${item.kind} ${item.name}${item.kind === 'run' ? ` (${item.id})` : ''}${created}`;
}

// ---- finding ----

interface RunsFound {
  /** Active check runs old enough. */
  active: Leftover[];
  /** Deleted check runs old enough whose artifact directory is still there. */
  orphaned: Leftover[];
  deleted: {
    /** Deleted check runs whose directory was listed. */
    examined: number;
    /** Stopped at MAX_DELETED_RUNS_EXAMINED or MAX_SEARCH_PAGES with more to read. */
    more: boolean;
    /** The search or a listing failed: said in a warning, and the exit code is 1. */
    failed?: boolean;
  };
}

/** Now, and the --older-than cutoff: what is younger may be a running check's. */
interface Cutoff {
  now: number;
  olderThanMs: number;
}

/** Warnings and notes, one line each, on stderr and in --json. */
class Notes {
  readonly lines: Array<{ warning: boolean; text: string }> = [];
  warn(text: string): void {
    this.lines.push({ warning: true, text });
  }
  note(text: string): void {
    this.lines.push({ warning: false, text });
  }
}

/**
 * Whether a candidate is old enough, stamping its leftover with when it was made. `--older-than 0`
 * takes everything; otherwise an object whose age nothing tells is left alone, said when `unknown`
 * names why (undefined: silently, as for deleted runs).
 */
function oldEnough(c: Candidate, cutoff: Cutoff, clock: ServerClock | undefined, notes: Notes, unknown?: string): boolean {
  const age = ageOf(c, cutoff.now, clock);
  if (age) Object.assign(c.leftover, { createdAt: new Date(cutoff.now - age.ms).toISOString(), ageFrom: age.from });
  if (cutoff.olderThanMs === 0) return true;
  if (!age) {
    if (unknown)
      notes.warn(`${c.leftover.kind} ${c.leftover.name} left alone: it has no ${CREATED_TAG} tag and ${unknown}, so its age is unknown`);
    return false;
  }
  return age.ms >= cutoff.olderThanMs;
}

/** Check runs in every experiment the run step may have used (CHECK_EXPERIMENTS): active ones, and deleted ones with artifacts left. */
async function findRuns(
  api: MlflowApi,
  http: Http,
  base: string,
  cutoff: Cutoff,
  notes: Notes,
  ours: (checkId: string) => boolean,
): Promise<RunsFound> {
  const out: RunsFound = { active: [], orphaned: [], deleted: { examined: 0, more: false } };
  // Each experiment once, whatever names lead to it (a server may answer any name with one).
  const experiments: string[] = [];
  for (const name of CHECK_EXPERIMENTS) {
    const id = await experimentId(api, name);
    if (id !== undefined && !experiments.includes(id)) experiments.push(id);
  }
  for (const exp of experiments) {
    const { items } = await pages(ENDPOINT.runsSearch, 'throw', (token) => runsPage(api, exp, 'ACTIVE_ONLY', token));
    for (const run of items) {
      const c = checkRun(run, ours);
      // Runs carry the check's own times (steps/run.ts): no server clock needed.
      if (c && oldEnough(c, cutoff, undefined, notes, 'no start_time')) out.active.push(c.leftover);
    }
  }

  // Deleted runs: newest first among those old enough (the server narrows by start_time, with a
  // minute to spare for the clocks of the machines that ran the checks), up to the bound.
  const deleted: Leftover[] = [];
  const startedBefore = cutoff.now - cutoff.olderThanMs + CLOCK_DISAGREEMENT_MS;
  for (const exp of experiments) {
    const room = MAX_DELETED_RUNS_EXAMINED - deleted.length;
    let searched: { items: Array<z.infer<typeof Run>>; complete: boolean };
    try {
      searched = await pages(
        'runs/search (deleted)',
        'stop',
        (token) => runsPage(api, exp, 'DELETED_ONLY', token, startedBefore),
        (items) => items.filter((run) => checkRun(run, ours)).length >= room,
      );
    } catch (err) {
      if (!(err instanceof SweepError)) throw err;
      // Active runs and models are swept all the same; the exit code says something was not.
      out.deleted.failed = true;
      notes.warn(`${err.message}; deleted runs not looked at`);
      break;
    }
    if (!searched.complete) out.deleted.more = true;
    for (const run of searched.items) {
      const c = checkRun(run, ours);
      if (!c || !oldEnough(c, cutoff, undefined, notes)) continue;
      if (deleted.length >= MAX_DELETED_RUNS_EXAMINED) {
        out.deleted.more = true;
        break;
      }
      deleted.push(c.leftover);
    }
    if (deleted.length >= MAX_DELETED_RUNS_EXAMINED) {
      if (exp !== experiments.at(-1)) out.deleted.more = true;
      break;
    }
  }
  for (const run of deleted) {
    const location = runArtifactPath(run.artifactUri, run.experimentId, run.id);
    // Not its own location: nothing of it is touched, not even listed.
    if (!location.ok) continue;
    const path = `${location.path}/${ARTIFACT_DIR}`;
    const listed = interpret(
      await http.send({ step: 'sweep', label: LABEL.listArtifacts, method: 'GET', url: mlflowArtifactsUrl(base), query: { path } }),
      ArtifactList,
    );
    out.deleted.examined++;
    if (!listed.ok) {
      // The artifact proxy answers no listing: the other deleted runs would not fare better.
      out.deleted.failed = true;
      notes.warn(
        `could not list the artifacts of deleted run ${run.name} (${run.id}): ${listed.reason}; deleted runs not looked at further`,
      );
      break;
    }
    if ((listed.data.files ?? []).length === 0) continue;
    out.orphaned.push({ ...run, kind: 'artifacts', path });
  }
  if (out.deleted.more) {
    notes.note(
      `looked at the newest ${out.deleted.examined} deleted check runs older than ${shortDuration(cutoff.olderThanMs)} for artifacts left behind, not at older ones (at most ${MAX_DELETED_RUNS_EXAMINED} a sweep): a larger --older-than reaches them`,
    );
  }
  return out;
}

/** One page of runs/search as `pages` reads it. */
async function runsPage(
  api: MlflowApi,
  experimentId: string,
  view: RunView,
  pageToken: string | undefined,
  startedBefore?: number,
): Promise<Page<z.infer<typeof Run>>> {
  const r = await searchRunsPage(api, {
    step: 'sweep',
    experimentId,
    view,
    pageToken,
    ...(startedBefore !== undefined ? { startedBefore } : {}),
  });
  return r.ok ? { ok: true, items: r.runs, next: r.next } : r;
}

/** The experiment's id, or undefined when there is none of that name. */
async function experimentId(api: MlflowApi, name: string): Promise<string | undefined> {
  const exp = await api.call(
    {
      step: 'sweep',
      label: ENDPOINT.experimentsGetByName,
      method: 'GET',
      endpoint: ENDPOINT.experimentsGetByName,
      query: { experiment_name: name },
    },
    GetExperiment,
  );
  if (!exp.ok) {
    if (exp.errorCode === 'RESOURCE_DOES_NOT_EXIST') return undefined;
    throw new SweepError(`sweep: experiments/get-by-name: ${exp.reason}`);
  }
  return exp.data.experiment.experiment_id;
}

/** A run that is a check's (its tag holds a check id and its name is made from it), with what tells its age; else undefined. */
function checkRun(run: z.infer<typeof Run>, ours: (checkId: string) => boolean): Candidate | undefined {
  const tags = new Map((run.data?.tags ?? []).map((t) => [t.key, t.value ?? '']));
  const id = tags.get(CHECK_TAG);
  const name = run.info.run_name ?? tags.get('mlflow.runName') ?? '';
  if (!isCheckId(id) || name !== resourceName(id) || !ours(id)) return undefined;
  const c: Candidate = {
    leftover: { kind: 'run', name, id: run.info.run_id, artifactUri: run.info.artifact_uri, experimentId: run.info.experiment_id },
  };
  const created = epochMs(tags.get(CREATED_TAG));
  if (created !== undefined) c.createdTag = created;
  const started = epochMs(run.info.start_time);
  if (started !== undefined) c.startTime = started;
  return c;
}

async function findModels(api: MlflowApi): Promise<Candidate[]> {
  const { items } = await pages(ENDPOINT.registeredModelsSearch, 'throw', async (pageToken) => {
    const r = await api.call(
      {
        step: 'sweep',
        label: ENDPOINT.registeredModelsSearch,
        method: 'GET',
        endpoint: ENDPOINT.registeredModelsSearch,
        query: {
          filter: `name LIKE ${filterString(`${NAME_PREFIX}%`)}`,
          max_results: 1000,
          ...(pageToken ? { page_token: pageToken } : {}),
        },
      },
      SearchRegisteredModels,
    );
    return r.ok ? { ok: true, items: r.data.registered_models ?? [], next: r.data.next_page_token } : { ok: false, reason: r.reason };
  });
  const out: Candidate[] = [];
  for (const model of items) {
    const id = (model.tags ?? []).find((t) => t.key === CHECK_TAG)?.value;
    if (!isCheckId(id) || model.name !== resourceName(id)) continue;
    const c: Candidate = { leftover: { kind: 'registered-model', name: model.name, id } };
    // Models made before the tag was written have only the server's timestamp.
    const created = epochMs((model.tags ?? []).find((t) => t.key === CREATED_TAG)?.value);
    if (created !== undefined) c.createdTag = created;
    const stamped = epochMs(model.creation_timestamp);
    if (stamped !== undefined) c.serverStamp = stamped;
    out.push(c);
  }
  return out;
}

// ---- age, by the checks' clock ----

/** A Date header, with this machine's clock before and after the request that got it. */
interface DateSample {
  serverMs: number;
  before: number;
  after: number;
}

interface ServerClock {
  /** Server clock minus this machine's, best estimate; undefined when no answer had a Date header. */
  offsetMs?: number;
  /** The smallest offset the Date headers allow (they are whole seconds, and a request takes time). */
  lowMs?: number;
  samples: number;
  disagrees: boolean;
}

/**
 * The same client, noting each answer's Date header against `clock` around the request. Behind a
 * proxy that adds its own Date before MLflow's (the Hokusai API: uvicorn's, then gunicorn's), the
 * last one is the server furthest in, whose clock stamps MLflow's timestamps.
 */
function sampleDates(http: Http, clock: Clock, out: DateSample[]): Http {
  return {
    send: async (spec) => {
      const before = clock.now();
      const result = await http.send(spec);
      const after = clock.now();
      const dates = (result.exchange.response?.headers ?? []).filter(([name]) => name.toLowerCase() === 'date');
      const serverMs = Date.parse(dates.at(-1)?.[1] ?? '');
      if (Number.isFinite(serverMs)) out.push({ serverMs, before, after });
      return result;
    },
    exchanges: () => http.exchanges(),
    redact: (text) => http.redact(text),
    close: () => http.close(),
  };
}

/**
 * The server's clock offset from the Date headers: each allows (D - after, D + 1 s - before), D in
 * whole seconds. Where they overlap, that interval; where they do not (a clock that jumped, two
 * servers), the span of them all — the smallest offset is what ages use, so it errs young.
 */
function serverClock(samples: DateSample[]): ServerClock {
  if (samples.length === 0) return { samples: 0, disagrees: false };
  let low = -Infinity;
  let high = Infinity;
  for (const s of samples) {
    low = Math.max(low, s.serverMs - s.after);
    high = Math.min(high, s.serverMs + 1000 - s.before);
  }
  if (low > high) {
    low = Math.min(...samples.map((s) => s.serverMs - s.after));
    high = Math.max(...samples.map((s) => s.serverMs + 1000 - s.before));
  }
  const offsetMs = Math.round((low + high) / 2);
  return { offsetMs, lowMs: low, samples: samples.length, disagrees: Math.abs(offsetMs) > CLOCK_DISAGREEMENT_MS };
}

/**
 * How old something is on this machine's clock: the youngest of what tells it — the check's
 * `hokus-check.created` tag (else a run's start_time, which the check wrote too), and a server
 * timestamp moved by the server's clock offset (the smallest the Date headers allow). Undefined when
 * nothing tells it (a server timestamp alone, and no Date header).
 */
function ageOf(c: Candidate, now: number, clock: ServerClock | undefined): { ms: number; from: AgeFrom } | undefined {
  const readings: Array<{ ms: number; from: AgeFrom }> = [];
  if (c.createdTag !== undefined) readings.push({ ms: now - c.createdTag, from: 'hokus-check.created' });
  else if (c.startTime !== undefined) readings.push({ ms: now - c.startTime, from: 'start_time' });
  if (c.serverStamp !== undefined && clock?.lowMs !== undefined)
    readings.push({ ms: now - c.serverStamp + clock.lowMs, from: 'creation_timestamp' });
  if (readings.length === 0) return undefined;
  return readings.reduce((a, b) => (b.ms < a.ms ? b : a));
}

/** A positive epoch-ms value (number, or a string of digits), else undefined. */
function epochMs(value: number | string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = typeof value === 'number' ? value : /^\d{1,16}$/.test(value) ? Number(value) : NaN;
  return Number.isSafeInteger(n) && n > 0 ? n : undefined;
}

/** '2m10s', '5m', '2h', '1h30m' — as --older-than takes it; 'coarse' drops the seconds from an hour up. */
function shortDuration(ms: number, coarse?: 'coarse'): string {
  let s = Math.round(ms / 1000);
  if (s === 0) return ms > 0 ? `${Math.round(ms)}ms` : '0s';
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  s %= 60;
  if (coarse && h > 0) return `${h}h${m ? `${m}m` : ''}`;
  return `${h ? `${h}h` : ''}${m ? `${m}m` : ''}${s ? `${s}s` : ''}`;
}

// ---- deleting ----

async function removeRun(http: Http, api: MlflowApi, base: string, item: Leftover): Promise<string | undefined> {
  const location = runArtifactPath(item.artifactUri, item.experimentId, item.id);
  // A run whose artifact location is not its own is not touched at all: something else made it so.
  if (!location.ok) return `not touched: ${location.problem}`;
  const dir = `${location.path}/${ARTIFACT_DIR}`;
  // A directory that is not there (the check crashed before its upload) answers 200 on MLflow. One
  // that could not be deleted keeps the run: a deleted run's artifacts are out of the active search.
  const artifacts = await deleteArtifactDir(http, 'sweep', mlflowArtifactsUrl(base), dir, true);
  if (!artifacts.ok) return `artifacts ${dir}/: ${artifacts.reason}; the run is kept, tagged, so that a later sweep finds them`;
  const r = await deleteRun(api, 'sweep', item.id);
  return r.ok ? undefined : r.reason;
}

/** The artifact directory of a deleted check run (its path was checked to be the run's own when it was found). */
async function removeArtifacts(http: Http, base: string, item: Leftover): Promise<string | undefined> {
  const r = await deleteArtifactDir(http, 'sweep', mlflowArtifactsUrl(base), item.path!, true);
  return r.ok ? undefined : r.reason;
}

async function removeModel(api: MlflowApi, item: Leftover, registryBase: string | undefined): Promise<string | undefined> {
  const versions = await api.call(
    {
      step: 'sweep',
      label: ENDPOINT.modelVersionsSearch,
      method: 'GET',
      endpoint: ENDPOINT.modelVersionsSearch,
      query: { filter: `name=${filterString(item.name)}` },
    },
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

// ---- pages ----

type Page<T> = { ok: true; items: T[]; next?: string | undefined } | { ok: false; reason: string };

/**
 * Every page of a search, following next_page_token, at most MAX_SEARCH_PAGES; a repeated token ends
 * it. Past the bound: 'throw' (nothing is deleted) or 'stop' (what was read, `complete: false`);
 * `enough` ends it early, also incomplete, once what was read suffices.
 */
async function pages<T>(
  label: string,
  atBound: 'throw' | 'stop',
  fetch: (pageToken: string | undefined) => Promise<Page<T>>,
  enough?: (items: T[]) => boolean,
): Promise<{ items: T[]; complete: boolean }> {
  const all: T[] = [];
  const seen = new Set<string>();
  let token: string | undefined;
  for (let page = 0; page < MAX_SEARCH_PAGES; page++) {
    const r = await fetch(token);
    if (!r.ok) throw new SweepError(`sweep: ${label}: ${r.reason}`);
    all.push(...r.items);
    if (!r.next || seen.has(r.next)) return { items: all, complete: true };
    if (enough?.(all)) return { items: all, complete: false };
    seen.add(r.next);
    token = r.next;
  }
  if (atBound === 'stop') return { items: all, complete: false };
  throw new SweepError(`sweep: ${label}: more than ${MAX_SEARCH_PAGES} pages of results; stopped (nothing was deleted)`);
}

/** The target answered a search wrongly or not at all: nothing can be swept (exit 1). */
class SweepError extends Error {}
