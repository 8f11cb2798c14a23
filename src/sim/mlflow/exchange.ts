// What an MLflow route handler gets: the request, its parsed URL, and the server's state.
import type http from 'node:http';
import type { FaultName } from '../faults.js';
import type { ArtifactStore } from './artifact-store.js';
import type { RequestSource } from './request-message.js';
import type { MlflowStore } from './store.js';

export interface MlflowContext {
  store: MlflowStore;
  artifacts: ArtifactStore;
  faults: ReadonlySet<FaultName>;
  serveArtifacts: boolean;
  slowMs: number;
  /** Waits `ms` unless the client goes away or the server closes; false when it should give up. */
  wait(res: http.ServerResponse, ms: number): Promise<boolean>;
  /** Waits `ms` whether or not the client still waits (a busy server finishes what it started); ends early only when the server closes. */
  sleep(ms: number): Promise<void>;
}

export interface MlflowExchange extends RequestSource {
  res: http.ServerResponse;
  /** Decoded path, as Flask routes it. */
  pathname: string;
  /** The `<path:artifact_path>` part of artifact routes. */
  artifactPath?: string;
  ctx: MlflowContext;
}

export type MlflowHandler = (x: MlflowExchange) => Promise<void>;

export type RouteKind = 'tracking' | 'registry' | 'artifacts' | 'meta';

export interface RouteDef {
  /** Service path ('/mlflow/runs/create', '/mlflow-artifacts/artifacts') or a meta path ('/health'). */
  path: string;
  methods: string[];
  kind: RouteKind;
  handler: MlflowHandler;
  /** Ends in `/<path:artifact_path>`. */
  pathParam?: boolean;
}
