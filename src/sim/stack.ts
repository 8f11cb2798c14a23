// The embedded simulated Hokusai stack (ARCHITECTURE.md, "Code map": src/sim): auth service, API service (+ its /api/mlflow
// proxy) and an MLflow 2.12.2 tracking server with the artifact proxy and the model registry —
// real node:http servers on loopback, each on its own port — plus named faults.
import { randomInt, createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createApiService } from './api/server.js';
import { ValidationCache } from './api/middleware.js';
import { upstreamFor } from './api/upstream.js';
import { createAuthService, keyInfo } from './auth.js';
import { createExternalUpstream } from './external.js';
import { FAULTS, isFaultName, type FaultName } from './faults.js';
import { closedPort, listen, type SimServer } from './http/listen.js';
import { Recorder, type SimRequest } from './http/recorder.js';
import type { BasicAuthApp, BasicAuthOptions } from './mlflow/basic-auth.js';
import { createMlflowServer } from './mlflow/server.js';
import type { RegistrationBehaviour } from './mlflow/store.js';

export type { FaultName } from './faults.js';
export type { SimRequest } from './http/recorder.js';

export interface StackOptions {
  /** Several may be combined. */
  faults?: FaultName[];
  /** Default '127.0.0.1'. */
  host?: string;
  /** Registry (API service) port; 0/undefined = a free port. */
  port?: number;
  /** Auth service port; 0/undefined = a free port. */
  authPort?: number;
  /** MLflow's own port; 0/undefined = a free port. */
  mlflowPort?: number;
  /** Default: a generated 'hk_test_' + 32 base62 characters. */
  apiKey?: string;
  /** Delay of the 'slow' fault (default 12000: slower than the check's default 10 s request timeout). */
  slowMs?: number;
  /** Body limit of 'body-too-large' (default 2 KiB: under the check's default artifact). */
  maxBodyBytes?: number;
  /** 'starting-up': the registry answers ALB 503 until this long after start (default 1500). */
  unhealthyForMs?: number;
  /** Default: a fresh mkdtemp dir, removed on close(). */
  artifactDir?: string;
  /** One line per request, e.g. 'api  PUT /api/mlflow/... -> 404' (never the key). */
  log?: (line: string) => void;
  /**
   * model-versions/get answers PENDING_REGISTRATION this many times after create before READY
   * (default 1; 0 = READY at once, as the recorded sqlite server does).
   */
  pendingPolls?: number;
  /**
   * Test-only: MLflow's clock is this far off the machine's (ms; negative = behind, as with a broken
   * NTP). Applies to the timestamps MLflow stamps itself (creation_timestamp, …) and to its Date
   * header; client-given values (a run's start_time, tags) are kept as sent. Default 0.
   */
  clockSkewMs?: number;
  /**
   * MLflow runs with its own authentication (`mlflow server --app-name basic-auth`, 2.12.2), answering
   * as recorded in fixtures/mlflow-2.12.2-basic-auth: its admin (default admin / password), the users
   * given, default_permission READ. Meant for the plain-MLflow mode (`stack.mlflowUrl`).
   */
  mlflowBasicAuth?: BasicAuthOptions;
}

export interface Inventory {
  experiments: Array<{ id: string; name: string; lifecycleStage: string }>;
  runs: Array<{
    runId: string;
    experimentId: string;
    name: string;
    lifecycleStage: string;
    tags: Record<string, string>;
    startTime: number;
  }>;
  registeredModels: Array<{
    name: string;
    tags: Record<string, string>;
    versions: Array<{ version: string; status: string; runId: string; source: string }>;
  }>;
  /** Paths relative to the artifact root, e.g. '1/<run>/artifacts/hokus-check/x.bin'. */
  artifactFiles: string[];
}

export interface Stack {
  /** http://127.0.0.1:PORT (API service). */
  registryUrl: string;
  /** http://127.0.0.1:PORT (auth service). */
  authUrl: string;
  /** The MLflow server itself, direct (where /api/2.0/... lives, also under a static-prefix fault). */
  mlflowUrl: string;
  apiKey: string;
  faults: FaultName[];
  /** Every request each server received, in order, credentials redacted. */
  requests(): SimRequest[];
  /** What the MLflow store holds now. */
  inventory(): Inventory;
  /** MLflow's authentication app (with `mlflowBasicAuth`): add users, grant permissions. */
  mlflowAuth?: BasicAuthApp;
  /** Seed leftovers (sweep tests). */
  seed: {
    experiment(name: string): string;
    run(o: {
      experimentId: string;
      name: string;
      tags?: Record<string, string>;
      startTime?: number;
      artifacts?: Record<string, Buffer | string>;
    }): string;
    /** `creationTimestamp` (ms) lets sweep tests seed old leftovers. */
    registeredModel(o: {
      name: string;
      tags?: Record<string, string>;
      versions?: Array<{ runId?: string; source: string }>;
      creationTimestamp?: number;
    }): void;
  };
  /** Closes the servers (idle keep-alive sockets too) and removes the generated artifact dir. */
  close(): Promise<void>;
}

const BASE62 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** 'hk_test_' + 32 random base62 characters. */
export function generateTestKey(): string {
  let s = 'hk_test_';
  for (let i = 0; i < 32; i++) s += BASE62[randomInt(62)];
  return s;
}

export async function startStack(opts: StackOptions = {}): Promise<Stack> {
  const faultList = [...new Set(opts.faults ?? [])];
  const unknown = faultList.filter((f) => !isFaultName(f));
  if (unknown.length) {
    throw new Error(
      `unknown fault${unknown.length > 1 ? 's' : ''} ${unknown.map((f) => `"${String(f)}"`).join(', ')}; valid faults: ${Object.keys(FAULTS).join(', ')}`,
    );
  }
  const faults: ReadonlySet<FaultName> = new Set(faultList);
  const host = opts.host ?? '127.0.0.1';
  const apiKey = opts.apiKey ?? generateTestKey();
  const keyId = keyIdFor(apiKey);
  const ownDir = opts.artifactDir === undefined;
  const artifactDir = opts.artifactDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'hokus-sim-'));
  fs.mkdirSync(artifactDir, { recursive: true });
  const recorder = new Recorder(opts.log);
  const startedAt = Date.now();
  const servers: SimServer[] = [];

  const mlflow = createMlflowServer({
    faults,
    artifactDir,
    staticPrefix: faults.has('artifacts-misrouted') ? '/mlflow' : '',
    serveArtifacts: !faults.has('artifacts-not-served'),
    defaultArtifactRoot: faults.has('artifact-root-s3') ? 's3://hokusai-mlflow-artifacts/artifacts' : 'mlflow-artifacts:/',
    registration: registration(faults, opts.pendingPolls ?? 1),
    slowMs: opts.slowMs ?? 12_000,
    clockSkewMs: opts.clockSkewMs ?? 0,
    ...(opts.mlflowBasicAuth ? { basicAuth: opts.mlflowBasicAuth } : {}),
  });
  const authOptions = { apiKey, keyId, faults };
  const cache = new ValidationCache();
  // The key was validated a while ago and is still in the API's cache; auth now rejects it.
  if (faults.has('auth-cache-masking')) cache.set(apiKey, keyInfo(authOptions));

  let api: ReturnType<typeof createApiService> | undefined;
  try {
    const mlflowSrv = await listen(recorder.wrap('mlflow', mlflow.handle), host, opts.mlflowPort ?? 0);
    servers.push(mlflowSrv);
    let externalUrl: string | undefined;
    if (faults.has('artifacts-misrouted-external')) {
      const ext = await listen(recorder.wrap('external', createExternalUpstream()), host, 0);
      servers.push(ext);
      externalUrl = ext.url;
    }
    const authSrv = await listen(recorder.wrap('auth', createAuthService(authOptions)), host, opts.authPort ?? 0);
    servers.push(authSrv);
    const closed = faults.has('upstream-unreachable') ? `http://${host.includes(':') ? `[${host}]` : host}:${await closedPort(host)}` : '';
    const upstream = upstreamFor(faults, { mlflow: mlflowSrv.url, ...(externalUrl ? { external: externalUrl } : {}), closed });
    api = createApiService({
      faults,
      authUrl: authSrv.url,
      upstream,
      startedAt,
      unhealthyForMs: opts.unhealthyForMs ?? 1500,
      // Below the check's default 4 KiB artifact, so `demo --fault body-too-large` shows the 413.
      maxBodyBytes: opts.maxBodyBytes ?? 2048,
      cache,
    });
    const apiSrv = await listen(recorder.wrap('api', api.handle), host, opts.port ?? 0);
    servers.push(apiSrv);

    let closing: Promise<void> | undefined;
    return {
      registryUrl: apiSrv.url,
      authUrl: authSrv.url,
      mlflowUrl: mlflowSrv.url,
      apiKey,
      faults: faultList,
      requests: () => recorder.all(),
      inventory: () => inventory(mlflow),
      ...(mlflow.auth ? { mlflowAuth: mlflow.auth } : {}),
      seed: seeder(mlflow),
      close: () => {
        closing ??= shutdown(
          servers,
          () => {
            mlflow.close();
            api?.close();
          },
          ownDir ? artifactDir : undefined,
        );
        return closing;
      },
    };
  } catch (err) {
    await shutdown(
      servers,
      () => {
        mlflow.close();
        api?.close();
      },
      ownDir ? artifactDir : undefined,
    );
    throw err;
  }
}

async function shutdown(servers: SimServer[], stop: () => void, dir: string | undefined): Promise<void> {
  stop();
  await Promise.all(servers.map((s) => s.close()));
  if (dir) await fs.promises.rm(dir, { recursive: true, force: true });
}

function registration(faults: ReadonlySet<FaultName>, pendingPolls: number): RegistrationBehaviour {
  if (faults.has('registry-pending-forever')) return { pendingPolls: Infinity, finalStatus: 'READY' };
  if (faults.has('registry-failed')) {
    return {
      pendingPolls: Math.max(1, pendingPolls),
      finalStatus: 'FAILED_REGISTRATION',
      finalMessage:
        'Failed to register model version: could not copy the model artifacts from its source (source is not readable by the registry worker)',
    };
  }
  return { pendingPolls: Math.max(0, pendingPolls), finalStatus: 'READY' };
}

/** A stable key id (UUID-shaped) derived from the key. */
function keyIdFor(key: string): string {
  const h = createHash('sha256').update(key).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

function inventory(mlflow: ReturnType<typeof createMlflowServer>): Inventory {
  const { store, artifacts } = mlflow;
  return {
    experiments: [...store.experiments.values()].map((e) => ({ id: e.id, name: e.name, lifecycleStage: e.lifecycleStage })),
    runs: [...store.runs.values()].map((r) => ({
      runId: r.runId,
      experimentId: r.experimentId,
      name: r.runName,
      lifecycleStage: r.lifecycleStage,
      tags: Object.fromEntries(r.tags),
      startTime: r.startTime,
    })),
    registeredModels: [...store.models.values()].map((m) => ({
      name: m.name,
      tags: Object.fromEntries(m.tags),
      versions: m.versions
        .filter((v) => !v.deleted)
        .map((v) => ({ version: String(v.version), status: v.status, runId: v.runId, source: v.source })),
    })),
    artifactFiles: artifacts.allFiles(),
  };
}

function seeder(mlflow: ReturnType<typeof createMlflowServer>): Stack['seed'] {
  const { store, artifacts } = mlflow;
  return {
    experiment: (name) => store.getExperimentByName(name)?.id ?? store.createExperiment(name, undefined, []),
    run: (o) => {
      const run = store.createRun({
        experimentId: o.experimentId,
        userId: 'hokus-sim',
        startTime: o.startTime ?? Date.now(),
        tags: Object.entries(o.tags ?? {}).map(([key, value]) => ({ key, value })),
        runName: o.name,
      });
      const root = run.artifactUri.replace(/^[a-z0-9+.-]+:\/*/i, '').replace(/^hokusai-mlflow-artifacts\/artifacts\//, '');
      for (const [rel, data] of Object.entries(o.artifacts ?? {})) artifacts.writeSync(`${root}/${rel}`, data);
      return run.runId;
    },
    registeredModel: (o) => {
      const model = store.createRegisteredModel(
        o.name,
        Object.entries(o.tags ?? {}).map(([key, value]) => ({ key, value })),
        '',
      );
      if (o.creationTimestamp !== undefined) model.creationTimestamp = o.creationTimestamp;
      for (const v of o.versions ?? []) {
        const mv = store.createModelVersion({
          name: o.name,
          source: v.source,
          runId: v.runId ?? '',
          runLink: '',
          tags: [],
          description: '',
        });
        // Seeded versions are settled already.
        mv.pendingPolls = 0;
        mv.status = mv.finalStatus;
        if (mv.finalMessage) mv.statusMessage = mv.finalMessage;
      }
    },
  };
}
