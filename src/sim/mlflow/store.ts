// The simulated MLflow's backend store, in memory: experiments, runs and the model registry, with
// the sqlalchemy store's rules and error messages (ids, soft deletes, duplicate names, active-state
// checks). Artifacts live on disk (artifact-store.ts), not here.
import { randomBytes } from 'node:crypto';
import { compare, parseFilter, type Comparison } from './filter.js';
import { randomRunName } from './names.js';
import { pyRepr } from '../http/pyjson.js';
import { MlflowError } from './wire.js';

export interface Tag {
  key: string;
  value: string;
}

export interface Experiment {
  id: string;
  name: string;
  artifactLocation: string;
  lifecycleStage: 'active' | 'deleted';
  creationTime: number;
  lastUpdateTime: number;
  tags: Map<string, string>;
}

export interface Metric {
  key: string;
  value: number;
  timestamp: number;
  step: number;
}

export type RunStatus = 'RUNNING' | 'SCHEDULED' | 'FINISHED' | 'FAILED' | 'KILLED';

export interface Run {
  runId: string;
  experimentId: string;
  runName: string;
  userId: string;
  status: RunStatus;
  startTime: number;
  endTime?: number;
  artifactUri: string;
  lifecycleStage: 'active' | 'deleted';
  /** Latest value per key, in first-logged order. */
  metrics: Map<string, Metric>;
  params: Map<string, string>;
  tags: Map<string, string>;
}

export type ModelVersionStatus = 'PENDING_REGISTRATION' | 'READY' | 'FAILED_REGISTRATION';

export interface ModelVersion {
  name: string;
  version: number;
  creationTimestamp: number;
  lastUpdatedTimestamp: number;
  description: string;
  source: string;
  runId: string;
  runLink: string;
  status: ModelVersionStatus;
  statusMessage?: string;
  tags: Map<string, string>;
  currentStage: string;
  deleted: boolean;
  /** model-versions/get calls still to answer with the pending status before `finalStatus`. */
  pendingPolls: number;
  finalStatus: ModelVersionStatus;
  finalMessage?: string;
}

export interface RegisteredModel {
  name: string;
  creationTimestamp: number;
  lastUpdatedTimestamp: number;
  description: string;
  tags: Map<string, string>;
  versions: ModelVersion[];
}

/** How new model versions become ready (the registry faults). */
export interface RegistrationBehaviour {
  /** model-versions/get answers PENDING_REGISTRATION this many times before the final status. */
  pendingPolls: number;
  finalStatus: ModelVersionStatus;
  finalMessage?: string;
}

export interface StoreOptions {
  /** Where new experiments' artifacts go: 'mlflow-artifacts:/' (served) or e.g. 's3://bucket/artifacts'. */
  defaultArtifactRoot: string;
  registration: RegistrationBehaviour;
  now?: () => number;
}

export interface Page<T> {
  items: T[];
  nextPageToken?: string;
}

const STAGE_DELETED_INTERNAL = 'Deleted_Internal';
const SQLALCHEMY_BACKGROUND = '(Background on this error at: https://sqlalche.me/e/14/gkpj)';

export class MlflowStore {
  readonly experiments = new Map<string, Experiment>();
  readonly runs = new Map<string, Run>();
  readonly models = new Map<string, RegisteredModel>();
  private nextExperimentId = 1;
  private readonly now: () => number;

  constructor(private readonly opts: StoreOptions) {
    this.now = opts.now ?? Date.now;
    const t = this.now();
    this.experiments.set('0', {
      id: '0',
      name: 'Default',
      artifactLocation: joinUri(opts.defaultArtifactRoot, '0'),
      lifecycleStage: 'active',
      creationTime: t,
      lastUpdateTime: t,
      tags: new Map(),
    });
  }

  // ---- experiments ----

  createExperiment(name: string, artifactLocation: string | undefined, tags: Tag[]): string {
    const t = this.now();
    if ([...this.experiments.values()].some((e) => e.name === name)) {
      throw new MlflowError(
        'RESOURCE_ALREADY_EXISTS',
        `Experiment(name=${name}) already exists. Error: (raised as a result of Query-invoked autoflush; consider using a session.no_autoflush block if this flush is occurring prematurely)\n` +
          '(sqlite3.IntegrityError) UNIQUE constraint failed: experiments.name\n' +
          '[SQL: INSERT INTO experiments (name, artifact_location, lifecycle_stage, creation_time, last_update_time) VALUES (?, ?, ?, ?, ?)]\n' +
          `[parameters: (${pyRepr(name)}, ${pyRepr(artifactLocation ?? '')}, 'active', ${t}, ${t})]\n${SQLALCHEMY_BACKGROUND}`,
      );
    }
    const id = String(this.nextExperimentId++);
    this.experiments.set(id, {
      id,
      name,
      artifactLocation: artifactLocation || joinUri(this.opts.defaultArtifactRoot, id),
      lifecycleStage: 'active',
      creationTime: t,
      lastUpdateTime: t,
      tags: new Map(tags.map((tag) => [tag.key, tag.value])),
    });
    return id;
  }

  getExperiment(id: string): Experiment {
    const exp = this.experiments.get(id || '0');
    if (!exp) throw new MlflowError('RESOURCE_DOES_NOT_EXIST', `No Experiment with id=${id} exists`);
    return exp;
  }

  getExperimentByName(name: string): Experiment | undefined {
    return [...this.experiments.values()].find((e) => e.name === name);
  }

  deleteExperiment(id: string): void {
    if (id === '0') {
      throw new MlflowError(
        'INVALID_PARAMETER_VALUE',
        "Cannot delete the default experiment '0'. This is an internally reserved experiment.",
      );
    }
    const exp = this.experiments.get(id);
    if (!exp || exp.lifecycleStage !== 'active') {
      throw new MlflowError('RESOURCE_DOES_NOT_EXIST', `No Experiment with id=${id} exists`);
    }
    exp.lifecycleStage = 'deleted';
    exp.lastUpdateTime = this.now();
    for (const run of this.runs.values()) if (run.experimentId === id) run.lifecycleStage = 'deleted';
  }

  /**
   * MLflow's SqlAlchemyStore.restore_experiment: the experiment is looked up among the deleted ones
   * only (an active one is "No Experiment with id=… exists"), made active, and its runs with it.
   */
  restoreExperiment(id: string): void {
    const exp = this.experiments.get(id);
    if (!exp || exp.lifecycleStage !== 'deleted') {
      throw new MlflowError('RESOURCE_DOES_NOT_EXIST', `No Experiment with id=${id} exists`);
    }
    exp.lifecycleStage = 'active';
    exp.lastUpdateTime = this.now();
    for (const run of this.runs.values()) if (run.experimentId === id) run.lifecycleStage = 'active';
  }

  searchExperiments(q: {
    viewType: string;
    maxResults: number;
    filter?: string;
    orderBy?: string[];
    pageToken?: string;
  }): Page<Experiment> {
    if (!Number.isInteger(q.maxResults) || q.maxResults < 1) {
      throw new MlflowError(
        'INVALID_PARAMETER_VALUE',
        `Invalid value for max_results. It must be a positive integer, but got ${q.maxResults}`,
      );
    }
    if (q.maxResults > 50000) {
      throw new MlflowError('INVALID_PARAMETER_VALUE', `Invalid value for max_results. It must be at most 50000, but got ${q.maxResults}`);
    }
    const filter = parseFilter(q.filter);
    const all = [...this.experiments.values()].filter(
      (e) =>
        viewMatches(q.viewType, e.lifecycleStage) &&
        filter.every((c) =>
          compare(
            c.entity === 'tags'
              ? e.tags.get(c.key)
              : (
                  { name: e.name, creation_time: e.creationTime, last_update_time: e.lastUpdateTime, experiment_id: e.id } as Record<
                    string,
                    string | number
                  >
                )[c.key],
            c,
          ),
        ),
    );
    const sorted = sortBy(all, q.orderBy?.length ? q.orderBy : ['creation_time DESC', 'experiment_id ASC'], (e, key) =>
      key === 'name' ? e.name : key === 'experiment_id' ? Number(e.id) : key === 'last_update_time' ? e.lastUpdateTime : e.creationTime,
    );
    return paginate(sorted, q.maxResults, q.pageToken);
  }

  // ---- runs ----

  createRun(r: { experimentId: string; userId: string; startTime: number; tags: Tag[]; runName?: string }): Run {
    const exp = this.getExperiment(r.experimentId);
    if (exp.lifecycleStage !== 'active') {
      throw new MlflowError(
        'INVALID_STATE',
        `The experiment ${exp.id} must be in the 'active' state. Current state is ${exp.lifecycleStage}.`,
      );
    }
    const tags = new Map(r.tags.map((t) => [t.key, t.value]));
    const tagName = tags.get('mlflow.runName');
    if (r.runName && tagName !== undefined && tagName !== r.runName) {
      throw new MlflowError(
        'INVALID_PARAMETER_VALUE',
        `Both 'run_name' argument and 'mlflow.runName' tag are specified, but with different values (run_name='${r.runName}', mlflow.runName='${tagName}').`,
      );
    }
    const runName = r.runName || tagName || randomRunName();
    tags.set('mlflow.runName', runName);
    const runId = randomBytes(16).toString('hex');
    // 2.12.2's SQL store looks an empty experiment id up as Default (0), then inserts the run with the
    // empty id itself: the foreign key fails (fixtures/mlflow-2.12.2-basic-auth, exchange 152).
    if (r.experimentId === '') {
      const values = `('${runId}', '${runName}', 'UNKNOWN', '', '', '${r.userId}', 'RUNNING', ${r.startTime}, None, None, '', 'active', '${exp.artifactLocation.replace(/\/+$/, '')}/${runId}/artifacts', '')`;
      throw new MlflowError(
        'BAD_REQUEST',
        `(sqlite3.IntegrityError) FOREIGN KEY constraint failed\n[SQL: INSERT INTO runs (run_uuid, name, source_type, source_name, entry_point_name, user_id, status, start_time, end_time, deleted_time, source_version, lifecycle_stage, artifact_uri, experiment_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)]\n[parameters: ${values}]\n(Background on this error at: https://sqlalche.me/e/14/gkpj)`,
      );
    }
    const run: Run = {
      runId,
      experimentId: exp.id,
      runName,
      userId: r.userId,
      status: 'RUNNING',
      startTime: r.startTime || this.now(),
      artifactUri: `${exp.artifactLocation.replace(/\/+$/, '')}/${runId}/artifacts`,
      lifecycleStage: 'active',
      metrics: new Map(),
      params: new Map(),
      tags,
    };
    this.runs.set(runId, run);
    return run;
  }

  getRun(runId: string): Run {
    const run = this.runs.get(runId);
    if (!run) throw new MlflowError('RESOURCE_DOES_NOT_EXIST', `Run with id=${runId} not found`);
    return run;
  }

  updateRun(runId: string, u: { status?: RunStatus; endTime?: number; runName?: string }): Run {
    const run = this.activeRun(runId);
    if (u.status) run.status = u.status;
    if (u.endTime !== undefined) run.endTime = u.endTime;
    if (u.runName) {
      run.runName = u.runName;
      run.tags.set('mlflow.runName', u.runName);
    }
    return run;
  }

  deleteRun(runId: string): void {
    this.getRun(runId).lifecycleStage = 'deleted';
  }

  logBatch(runId: string, b: { metrics?: Metric[]; params?: Tag[]; tags?: Tag[] }): void {
    const run = this.activeRun(runId);
    for (const p of b.params ?? []) {
      const old = run.params.get(p.key);
      if (old !== undefined && old !== p.value) {
        throw new MlflowError(
          'INVALID_PARAMETER_VALUE',
          `Changing param values is not allowed. Param with key='${p.key}' was already logged with value='${old}' for run ID='${runId}'. Attempted logging new value '${p.value}'.`,
        );
      }
      run.params.set(p.key, p.value);
    }
    for (const m of b.metrics ?? []) {
      const prev = run.metrics.get(m.key);
      if (!prev || m.step > prev.step || (m.step === prev.step && m.timestamp >= prev.timestamp)) run.metrics.set(m.key, m);
    }
    for (const t of b.tags ?? []) {
      run.tags.set(t.key, t.value);
      if (t.key === 'mlflow.runName') run.runName = t.value;
    }
  }

  searchRuns(q: {
    experimentIds: string[];
    filter?: string;
    viewType: string;
    maxResults: number;
    orderBy?: string[];
    pageToken?: string;
  }): Page<Run> {
    if (q.maxResults > 50000) {
      throw new MlflowError(
        'INVALID_PARAMETER_VALUE',
        `Invalid value for parameter 'max_results' supplied. It must be at most 50000, but got value ${q.maxResults}`,
      );
    }
    const filter = parseFilter(q.filter);
    const matches = [...this.runs.values()].filter(
      (r) =>
        q.experimentIds.includes(r.experimentId) &&
        viewMatches(q.viewType, r.lifecycleStage) &&
        filter.every((c) => compare(runField(r, c), c)),
    );
    const sorted = sortBy(matches, q.orderBy?.length ? q.orderBy : ['start_time DESC', 'run_id ASC'], (r, key) => {
      const k = key.replace(/^attributes?\./, '');
      return k === 'start_time' ? r.startTime : k === 'end_time' ? (r.endTime ?? 0) : k === 'run_name' ? r.runName : r.runId;
    });
    return paginate(sorted, q.maxResults || 1000, q.pageToken);
  }

  private activeRun(runId: string): Run {
    const run = this.getRun(runId);
    if (run.lifecycleStage !== 'active') {
      throw new MlflowError(
        'INVALID_PARAMETER_VALUE',
        `The run ${runId} must be in the 'active' state. Current state is ${run.lifecycleStage}.`,
      );
    }
    return run;
  }

  // ---- registry ----

  createRegisteredModel(name: string, tags: Tag[], description: string): RegisteredModel {
    const t = this.now();
    if (this.models.has(name)) {
      throw new MlflowError(
        'RESOURCE_ALREADY_EXISTS',
        `Registered Model (name=${name}) already exists. Error: (sqlite3.IntegrityError) UNIQUE constraint failed: registered_models.name\n` +
          '[SQL: INSERT INTO registered_models (name, creation_time, last_updated_time, description) VALUES (?, ?, ?, ?)]\n' +
          `[parameters: (${pyRepr(name)}, ${t}, ${t}, ${pyRepr(description)})]\n${SQLALCHEMY_BACKGROUND}`,
      );
    }
    const model: RegisteredModel = {
      name,
      creationTimestamp: t,
      lastUpdatedTimestamp: t,
      description,
      tags: new Map(tags.map((tag) => [tag.key, tag.value])),
      versions: [],
    };
    this.models.set(name, model);
    return model;
  }

  getRegisteredModel(name: string): RegisteredModel {
    const model = this.models.get(name);
    if (!model) throw new MlflowError('RESOURCE_DOES_NOT_EXIST', `Registered Model with name=${name} not found`);
    return model;
  }

  deleteRegisteredModel(name: string): void {
    this.getRegisteredModel(name);
    this.models.delete(name);
  }

  setRegisteredModelTag(name: string, key: string, value: string): void {
    this.getRegisteredModel(name).tags.set(key, value);
  }

  searchRegisteredModels(q: { filter?: string; maxResults: number; orderBy?: string[]; pageToken?: string }): Page<RegisteredModel> {
    if (q.maxResults > 1000) {
      throw new MlflowError(
        'INVALID_PARAMETER_VALUE',
        `Invalid value for request parameter max_results. It must be at most 1000, but got value ${q.maxResults}`,
      );
    }
    const filter = parseFilter(q.filter);
    for (const c of filter) {
      if (c.entity !== 'tags' && c.key !== 'name') {
        throw new MlflowError('INVALID_PARAMETER_VALUE', `Invalid attribute key '${c.key}' specified. Valid keys are '{'name'}'`);
      }
    }
    const matches = [...this.models.values()].filter((m) =>
      filter.every((c) => compare(c.entity === 'tags' ? m.tags.get(c.key) : m.name, c)),
    );
    const sorted = sortBy(matches, q.orderBy?.length ? q.orderBy : ['name ASC'], (m, key) =>
      key === 'timestamp' || key === 'last_updated_timestamp'
        ? m.lastUpdatedTimestamp
        : key === 'creation_timestamp'
          ? m.creationTimestamp
          : m.name,
    );
    return paginate(sorted, q.maxResults || 100, q.pageToken);
  }

  /** The newest live version per stage (or of the given stages). */
  latestVersions(model: RegisteredModel, stages: string[] = []): ModelVersion[] {
    const latest = new Map<string, ModelVersion>();
    for (const mv of model.versions) {
      if (mv.deleted || mv.currentStage === STAGE_DELETED_INTERNAL) continue;
      const cur = latest.get(mv.currentStage);
      if (!cur || cur.version < mv.version) latest.set(mv.currentStage, mv);
    }
    const wanted = stages.map((s) => s.toLowerCase());
    return [...latest.values()].filter((mv) => wanted.length === 0 || wanted.includes(mv.currentStage.toLowerCase()));
  }

  createModelVersion(v: { name: string; source: string; runId: string; runLink: string; tags: Tag[]; description: string }): ModelVersion {
    const model = this.getRegisteredModel(v.name);
    const t = this.now();
    const reg = this.opts.registration;
    const version = model.versions.reduce((max, mv) => Math.max(max, mv.version), 0) + 1;
    const mv: ModelVersion = {
      name: v.name,
      version,
      creationTimestamp: t,
      lastUpdatedTimestamp: t,
      description: v.description,
      source: v.source,
      runId: v.runId,
      runLink: v.runLink,
      status: reg.pendingPolls > 0 ? 'PENDING_REGISTRATION' : reg.finalStatus,
      ...(reg.pendingPolls > 0 || !reg.finalMessage ? {} : { statusMessage: reg.finalMessage }),
      tags: new Map(v.tags.map((tag) => [tag.key, tag.value])),
      currentStage: 'None',
      deleted: false,
      pendingPolls: reg.pendingPolls,
      finalStatus: reg.finalStatus,
      ...(reg.finalMessage ? { finalMessage: reg.finalMessage } : {}),
    };
    model.versions.push(mv);
    model.lastUpdatedTimestamp = t;
    return mv;
  }

  getModelVersion(name: string, version: string): ModelVersion {
    const n = parseVersion(version);
    const mv = this.models.get(name)?.versions.find((x) => x.version === n && !x.deleted);
    if (!mv) throw new MlflowError('RESOURCE_DOES_NOT_EXIST', `Model Version (name=${name}, version=${version}) not found`);
    return mv;
  }

  /**
   * model-versions/get as a polling client sees it: a pending version answers PENDING_REGISTRATION
   * `pendingPolls` times, then settles on its final status.
   */
  pollModelVersion(name: string, version: string): ModelVersion {
    const mv = this.getModelVersion(name, version);
    if (mv.pendingPolls > 0) {
      const snapshot = { ...mv, status: 'PENDING_REGISTRATION' as const };
      mv.pendingPolls -= 1;
      if (mv.pendingPolls === 0) this.settle(mv);
      return snapshot;
    }
    return mv;
  }

  deleteModelVersion(name: string, version: string): void {
    const mv = this.getModelVersion(name, version);
    mv.deleted = true;
    mv.currentStage = STAGE_DELETED_INTERNAL;
  }

  setModelVersionTag(name: string, version: string, key: string, value: string): void {
    this.getModelVersion(name, version).tags.set(key, value);
  }

  searchModelVersions(q: { filter?: string; maxResults: number; orderBy?: string[]; pageToken?: string }): Page<ModelVersion> {
    const filter = parseFilter(q.filter);
    const all = [...this.models.values()].flatMap((m) => m.versions.filter((mv) => !mv.deleted));
    const matches = all.filter((mv) => filter.every((c) => compare(versionField(mv, c), c)));
    const sorted = sortBy(
      matches,
      q.orderBy?.length ? q.orderBy : ['last_updated_timestamp DESC', 'name ASC', 'version_number DESC'],
      (mv, key) =>
        key === 'name'
          ? mv.name
          : key === 'version_number'
            ? mv.version
            : key === 'creation_timestamp'
              ? mv.creationTimestamp
              : mv.lastUpdatedTimestamp,
    );
    return paginate(sorted, q.maxResults || 200_000, q.pageToken);
  }

  private settle(mv: ModelVersion): void {
    mv.status = mv.finalStatus;
    if (mv.finalMessage) mv.statusMessage = mv.finalMessage;
    mv.lastUpdatedTimestamp = this.now();
  }
}

function joinUri(root: string, id: string): string {
  return root.endsWith('/') ? `${root}${id}` : `${root}/${id}`;
}

function viewMatches(viewType: string, stage: string): boolean {
  if (viewType === 'ALL') return true;
  if (viewType === 'DELETED_ONLY') return stage === 'deleted';
  return stage === 'active';
}

function runField(r: Run, c: Comparison): string | number | undefined {
  if (c.entity === 'tags') return r.tags.get(c.key);
  if (c.entity === 'params') return r.params.get(c.key);
  if (c.entity === 'metrics') return r.metrics.get(c.key)?.value;
  const fields: Record<string, string | number | undefined> = {
    run_id: r.runId,
    run_name: r.runName,
    status: r.status,
    start_time: r.startTime,
    end_time: r.endTime,
    user_id: r.userId,
    artifact_uri: r.artifactUri,
  };
  return fields[c.key];
}

function versionField(mv: ModelVersion, c: Comparison): string | number | undefined {
  if (c.entity === 'tags') return mv.tags.get(c.key);
  const fields: Record<string, string | number | undefined> = {
    name: mv.name,
    run_id: mv.runId,
    source_path: mv.source,
    version_number: mv.version,
  };
  if (!(c.key in fields)) throw new MlflowError('INVALID_PARAMETER_VALUE', `Invalid attribute name: ${c.key}`);
  return fields[c.key];
}

function parseVersion(version: string): number {
  if (!/^\s*-?\d+\s*$/.test(version)) {
    throw new MlflowError('INVALID_PARAMETER_VALUE', `Model version must be an integer, got '${version}'`);
  }
  return Number(version);
}

/** Sorts by clauses like 'name ASC' / 'creation_time DESC' (stable, first clause first). */
function sortBy<T>(items: T[], clauses: string[], field: (item: T, key: string) => string | number): T[] {
  const parsed = clauses.map((c) => {
    const [key = '', dir = 'ASC'] = c.trim().split(/\s+/);
    return { key, desc: dir.toUpperCase() === 'DESC' };
  });
  return [...items].sort((a, b) => {
    for (const { key, desc } of parsed) {
      const x = field(a, key);
      const y = field(b, key);
      if (x === y) continue;
      const cmp = x < y ? -1 : 1;
      return desc ? -cmp : cmp;
    }
    return 0;
  });
}

/** Offset pagination with MLflow's token: base64 of json.dumps({"offset": n}). */
function paginate<T>(items: T[], maxResults: number, pageToken?: string): Page<T> {
  let offset = 0;
  if (pageToken) {
    try {
      const parsed = JSON.parse(Buffer.from(pageToken, 'base64').toString('utf8')) as { offset?: unknown };
      if (typeof parsed.offset !== 'number') throw new Error('no offset');
      offset = parsed.offset;
    } catch {
      throw new MlflowError('INVALID_PARAMETER_VALUE', 'Invalid page token, could not base64-decode');
    }
  }
  const page = items.slice(offset, offset + maxResults);
  const next = offset + maxResults;
  return next < items.length ? { items: page, nextPageToken: Buffer.from(`{"offset": ${next}}`).toString('base64') } : { items: page };
}
