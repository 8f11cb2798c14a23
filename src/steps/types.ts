// Shapes of the check: the target, the steps of the DAG, their outcomes and the state they share.
import type { KeyObject } from 'node:crypto';
import type { Exchange, Http, HttpResult, RequestSpec } from '../http/types.js';
import type { ProbeId } from '../diagnosis/probes/ids.js';
import type { Finding } from '../diagnosis/types.js';

export const STEP_IDS = ['auth', 'health', 'experiments', 'run', 'artifact', 'register', 'cleanup'] as const;
export type StepId = (typeof STEP_IDS)[number];

export type StepStatus = 'pass' | 'fail' | 'error' | 'blocked' | 'skipped' | 'warn';

/** One deployment to check (resolved by config/resolve.ts), already resolved from flags, env and config. */
export interface Target {
  /** Environment name ('staging') or 'default' when given by flags. */
  name: string;
  /** 'hokusai': registry + auth + proxy; 'mlflow': a plain MLflow server (no auth, no prefix). */
  kind: 'hokusai' | 'mlflow';
  /** API service base (hokusai) — undefined for kind 'mlflow'. */
  registryUrl?: string;
  authUrl?: string;
  /** Proxy mount on the registry, default '/api/mlflow'. */
  mlflowPath: string;
  /** Plain MLflow base URL (kind 'mlflow'). */
  mlflowUrl?: string;
  /** Internal MLflow URL for the differential probe and for registry deletes. */
  mlflowDirectUrl?: string;
  serviceId: string;
  apiKeyEnv: string;
  /**
   * Plain MLflow target: HTTP Basic credentials, by the names of the variables that hold them (MLflow's
   * MLFLOW_TRACKING_USERNAME and MLFLOW_TRACKING_PASSWORD, config/mlflow-env.ts), sent instead of a key.
   */
  basicAuthEnv?: { username: string; password: string };
  /** Mutual TLS: the client certificate presented to the target's origins (--client-cert/--client-key). */
  clientCert?: ClientCertificate;
}

/**
 * A client certificate for mutual TLS, read and checked by config/client-cert.ts before any request.
 * The facts are public (the diagnosis and the printed commands read them); the private key is a
 * KeyObject, which never prints or serialises its material, and only http/dispatcher.ts uses it.
 */
export interface ClientCertificate {
  /** The certificate file (absolute); `keyPath` is the key's, the same file for a combined PEM. */
  path: string;
  keyPath: string;
  /** Distinguished names in one line ('CN=ci-runner, O=Example'). */
  subject: string;
  issuer: string;
  /** Validity, ISO 8601. */
  validFrom: string;
  validTo: string;
  /** The certificate lists its purposes (extended key usage) and client authentication is not one of them. */
  notForClientAuth?: boolean;
  /** The certificates of the file, PEM (the leaf first, then any intermediates). */
  chainPem: string;
  key: KeyObject;
}

/** Everything the check created, in creation order; cleanup walks it backwards. */
export interface CreatedResources {
  experimentId?: string;
  /** True only when this check created the shared experiment (it is still never deleted). */
  experimentCreated?: boolean;
  runId?: string;
  /**
   * runs/create got no answer after the request went out: the server may have created the run.
   * Cleanup looks it up by this check's tag in the experiment and deletes it.
   */
  runUnconfirmed?: boolean;
  /** Artifact files this check PUT, as paths under the mlflow-artifacts root: '<exp>/<run>/artifacts/hokus-check/x'. */
  artifactPaths: string[];
  /**
   * Artifact directories to delete: `base` is the artifact-proxy URL that accepted the upload (the
   * normal `…/api/2.0/mlflow-artifacts/artifacts`, or the ajax-api/direct one a probe used), `path`
   * the directory under it ('<exp>/<run>/artifacts/hokus-check'). A directory, because MLflow 2.12.2
   * answers 500 to a DELETE of a single file.
   */
  artifactDirs: Array<{ base: string; path: string; withKey: boolean }>;
  modelName?: string;
  /**
   * The create of `modelName` got no answer (Ctrl-C, timeout, reset): the server may have created it
   * anyway. Cleanup deletes it by name, and "does not exist" then means nothing was left.
   */
  modelUnconfirmed?: boolean;
  modelVersions: string[];
}

/** What the steps learn and pass along. */
export interface CheckState {
  checkId: string;
  keyId?: string;
  scopes?: string[];
  experimentId?: string;
  runId?: string;
  artifactUri?: string;
  /** Path of the artifact under the mlflow-artifacts root. */
  artifactPath?: string;
  artifactSha256?: string;
  modelName?: string;
  modelVersion?: string;
  created: CreatedResources;
  /** What cleanup could not delete (or --keep kept), one line each. */
  leftovers?: string[];
  /** Objects a create answered with that are not this check's (no tag of it): never deleted, named. */
  foreign?: string[];
  /** What cleanup has deleted so far, in createdSoFar's words (steps/created.ts): a quit mid-cleanup names only the rest. */
  removed?: string[];
}

export interface CheckOptions {
  /** Per-request timeout, ms. */
  timeoutMs: number;
  /** Whole-check deadline, ms. */
  deadlineMs: number;
  /** Bytes of the generated artifact. */
  artifactSize: number;
  /** Poll interval and limit for PENDING_REGISTRATION → READY. */
  registerPollMs: number;
  registerWaitMs: number;
  keep: boolean;
}

/** Progress reporting for the terminal spinner; a no-op outside a TTY. */
export interface Progress {
  start(step: StepId, text: string): void;
  update(step: StepId, text: string): void;
  end(step: StepId, status: StepStatus, text: string): void;
}

/** A request of the check: made by a step, or by a probe on a step's behalf. */
export interface StepRequest extends RequestSpec {
  step: StepId;
  probe?: ProbeId;
}

/** The HTTP client as the steps use it: every request names its step (and probe) by id. */
export interface StepHttp extends Http {
  send(spec: StepRequest): Promise<HttpResult>;
}

export interface StepContext {
  target: Target;
  /** The target's client; a step's requests carry its own id, a probe's its id (the evidence proves them: diagnosis/evidence-query.ts checkExchanges). */
  http: StepHttp;
  state: CheckState;
  options: CheckOptions;
  /** Fires on Ctrl-C or the deadline; steps stop sending when aborted. */
  signal: AbortSignal;
  progress: Progress;
  /** Base of MLflow REST calls as the user's client sees it: `${registryUrl}${mlflowPath}` or mlflowUrl. */
  mlflowBase: string;
  /** When `signal` fires by its own clock (performance.now() ms), if known: cleanup's budget (steps/dag.ts). */
  endsAt?: number;
}

/** What a step's run() returns; the runner adds timing, blocking and root-cause. */
export interface StepOutcome {
  status: 'pass' | 'fail' | 'error' | 'warn';
  /** One line for the matrix: '201 run 3f2a… created', '404 on PUT artifact'. */
  detail: string;
  /** Extra facts for the report ('/api/health/mlflow not present (404): noted'). */
  notes?: string[];
  /** A failure the step itself found in answers that came (the diagnosis reads it; `detail` says it for people). */
  failure?: StepFailure;
}

/**
 * What a step found wrong in answers that came with a 2xx, as data: the diagnosis names it
 * (ARTIFACT_CORRUPTED, RESPONSE_FOREIGN_OBJECT, RESPONSE_SCHEMA) without reading the detail text.
 */
export type StepFailure =
  /** The artifact read back is not the one sent: another size or another sha256. */
  | { kind: 'content-mismatch'; what: 'size' | 'sha256' }
  /** A create answered with an object that is not this check's ('registered model other-model'). */
  | { kind: 'foreign-object'; what: string }
  /** A 2xx JSON answer of an unexpected shape: the first problem ('experiment.experiment_id: Required'). */
  | { kind: 'schema'; problem: string };

export interface Step {
  id: StepId;
  /** Must pass (or warn) for this step to run. */
  dependsOn: StepId[];
  /** Must pass (or warn) when they ran; a user-skipped soft dependency does not block. */
  softDependsOn?: StepId[];
  run(ctx: StepContext): Promise<StepOutcome>;
}

export interface StepResult {
  id: StepId;
  status: StepStatus;
  durationMs: number;
  detail: string;
  notes: string[];
  /** The root-cause step, as the diagnosis decided it (rootStepOf); false until the check is diagnosed. */
  rootCause: boolean;
  /** For status 'blocked': the step that blocked it. */
  blockedBy?: StepId;
  /** Ids of the exchanges this step made (probes included). */
  exchangeIds: string[];
  /** Set when the step was not run because the check was stopped first: why. */
  stopped?: StopCause;
  /** What the step found wrong in answers that came (StepOutcome.failure). */
  failure?: StepFailure;
}

/** Why a check stops before its steps are done: its deadline (or a scrape's) passed, or it was interrupted (a signal, an exporter shutting down). */
export type StopCause = 'deadline' | 'interrupted';

/** How a step that was not run says why, in its detail (one owner of these words). */
export const NOT_RUN: Readonly<Record<StopCause, string>> = { deadline: 'not run: deadline exceeded', interrupted: 'not run: interrupted' };

/**
 * What cleanup may take once the check's deadline has passed (or it was interrupted): a runner
 * constant, not a setting. Read by steps/check-target.ts, the exporter's scrape budget (its cleanup
 * reserve is at most this) and sweep (a check may still be running for its deadline plus this).
 */
export const CLEANUP_BUDGET_MS = 10_000;

/** One target's finished check: what the reporters render. */
export interface CheckResult {
  target: Target;
  checkId: string;
  startedAt: string;
  durationMs: number;
  steps: StepResult[];
  exchanges: Exchange[];
  findings: Finding[];
  interrupted: boolean;
  /** Resources left behind (--keep, or cleanup could not remove them). */
  leftovers: string[];
  insecure: boolean;
  /** The key, masked ('hk_test_…a1b2'), or undefined when none was used. */
  keyMasked?: string;
  /** The W3C trace id every request of this check sent in `traceparent` (the client's); absent with --no-trace-context. */
  traceId?: string;
}
