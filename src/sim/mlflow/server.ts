// The simulated MLflow 2.12.2 tracking server (`mlflow server --serve-artifacts`, gunicorn sync
// worker): URL map, faults that live on MLflow's side, and error handling as Flask does it.
import type http from 'node:http';
import type { FaultName } from '../faults.js';
import type { Handler } from '../http/listen.js';
import { crash } from '../http/recorder.js';
import { sendFastApi } from '../responders.js';
import { ArtifactStore } from './artifact-store.js';
import { BasicAuthApp, type BasicAuthOptions } from './basic-auth.js';
import type { MlflowContext, MlflowExchange } from './exchange.js';
import { buildRoutes, matchRoute } from './router.js';
import { ARTIFACT_ROUTES } from './routes/artifacts.js';
import { META_ROUTES } from './routes/meta.js';
import { REGISTRY_ROUTES } from './routes/registry.js';
import { TRACKING_ROUTES } from './routes/tracking.js';
import { MlflowStore, type RegistrationBehaviour } from './store.js';
import { errorJson, MlflowError, sendBody, sendFlaskPage, sendMlflowError, setClockSkew } from './wire.js';

export interface MlflowServerOptions {
  faults: ReadonlySet<FaultName>;
  artifactDir: string;
  /** --static-prefix ('' for none). */
  staticPrefix: string;
  /** --serve-artifacts: the mlflow-artifacts routes exist. */
  serveArtifacts: boolean;
  /** --default-artifact-root. */
  defaultArtifactRoot: string;
  registration: RegistrationBehaviour;
  slowMs: number;
  /** Test-only: this server's clock is this far off (ms, + ahead): its timestamps and its Date header (StackOptions.clockSkewMs). */
  clockSkewMs?: number;
  /** `--app-name basic-auth`: MLflow's own login and permissions (basic-auth.ts). */
  basicAuth?: BasicAuthOptions;
}

export interface MlflowServer {
  handle: Handler;
  store: MlflowStore;
  artifacts: ArtifactStore;
  /** MLflow's authentication app, when the server runs with it: its users and permission rows. */
  auth?: BasicAuthApp;
  /** Ends pending waits (the slow fault) so the server can close. */
  close(): void;
}

const DB_ERROR =
  '(psycopg2.OperationalError) connection to server at "mlflow-db.hokusai-development.local", port 5432 failed: FATAL:  password authentication failed for user "mlflow"\n\n(Background on this error at: https://sqlalche.me/e/14/e3q8)';
const HOST_REJECTED = 'Invalid Host header - possible DNS rebinding attack detected';

export function createMlflowServer(opts: MlflowServerOptions): MlflowServer {
  const skew = opts.clockSkewMs ?? 0;
  const store = new MlflowStore({
    defaultArtifactRoot: opts.defaultArtifactRoot,
    registration: opts.registration,
    now: () => Date.now() + skew,
  });
  const artifacts = new ArtifactStore(opts.artifactDir);
  const auth = opts.basicAuth ? new BasicAuthApp(opts.basicAuth, store) : undefined;
  const routes = buildRoutes({
    api: [...TRACKING_ROUTES, ...REGISTRY_ROUTES, ...(opts.serveArtifacts ? ARTIFACT_ROUTES : [])],
    meta: META_ROUTES,
    staticPrefix: opts.staticPrefix,
  });
  const waits = new Set<() => void>();
  const ctx: MlflowContext = {
    store,
    artifacts,
    faults: opts.faults,
    serveArtifacts: opts.serveArtifacts,
    slowMs: opts.slowMs,
    sleep: (ms) =>
      new Promise<void>((resolve) => {
        const stop = (): void => {
          clearTimeout(timer);
          waits.delete(stop);
          resolve();
        };
        const timer = setTimeout(stop, ms);
        waits.add(stop);
      }),
    wait: (res, ms) =>
      new Promise<boolean>((resolve) => {
        const finish = (ok: boolean): void => {
          clearTimeout(timer);
          res.off('close', gone);
          waits.delete(stop);
          resolve(ok);
        };
        const gone = (): void => finish(false);
        const stop = (): void => finish(false);
        const timer = setTimeout(() => finish(true), ms);
        res.once('close', gone);
        waits.add(stop);
      }),
  };

  const handle = async (req: http.IncomingMessage, res: http.ServerResponse): Promise<void> => {
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const rawPath = q < 0 ? url : url.slice(0, q);
    const rawQuery = q < 0 ? '' : url.slice(q + 1);
    const pathname = decodePath(rawPath);
    const faults = opts.faults;
    if (skew !== 0) setClockSkew(res, skew);

    if (faults.has('auth-header-stripped') && !/\/health$/.test(pathname) && !req.headers.authorization && !req.headers['x-api-key']) {
      // The auth gateway in front of MLflow (a FastAPI app) turns away key-less calls.
      sendFastApi(res, 401, { detail: 'API key required' });
      return;
    }
    if (faults.has('host-not-allowed') && !isLocalHost(req.headers.host)) {
      await sendBody(res, 403, 'text/plain; charset=utf-8', HOST_REJECTED);
      return;
    }

    if (auth) {
      // MLflow's auth app runs before routing: an unknown path without a login is a 401 too.
      const r = { req, res, pathname, query: new URLSearchParams(rawQuery) };
      const gate = await auth.before(r);
      if (gate.answered) return;
      if (gate.user !== undefined) {
        if (await auth.ownRoute(r, gate.user)) return;
        await auth.afterRequest(r, gate.user);
      }
    }

    const match = matchRoute(routes, req.method ?? 'GET', pathname);
    if (match.kind === 'not-found') return sendFlaskPage(res, 404);
    if (match.kind === 'method-not-allowed') return sendFlaskPage(res, 405, match.allow);
    if (match.kind === 'options') return sendBody(res, 200, 'text/html; charset=utf-8', '', ['Allow', match.allow]);

    const route = match.route;
    if (faults.has('backend-db-error') && (route.kind === 'tracking' || route.kind === 'registry')) {
      await sendBody(res, 500, 'application/json', errorJson('INTERNAL_ERROR', DB_ERROR));
      return;
    }
    const x: MlflowExchange = {
      req,
      res,
      query: new URLSearchParams(rawQuery),
      rawQuery,
      pathname,
      ...(match.artifactPath !== undefined ? { artifactPath: match.artifactPath } : {}),
      ctx,
    };
    try {
      await route.handler(x);
    } catch (err) {
      if (res.headersSent || res.destroyed) {
        res.destroy();
        return;
      }
      if (err instanceof MlflowError) await sendMlflowError(res, err);
      else await sendFlaskPage(res, 500);
    }
  };

  return {
    handle: (req, res) => {
      handle(req, res).catch((err: unknown) => crash(res, err));
    },
    store,
    artifacts,
    ...(auth ? { auth } : {}),
    close: () => {
      for (const stop of [...waits]) stop();
    },
  };
}

/** werkzeug decodes %XX in the path before routing (so %2E%2E is '..'). */
function decodePath(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw.replace(/%([0-9A-Fa-f]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
  }
}

/** MLflow 3's default allow-list: localhost and loopback addresses, any port. */
function isLocalHost(host: string | undefined): boolean {
  const name = (host ?? '').replace(/:\d+$/, '').replace(/^\[|\]$/g, '');
  return name === 'localhost' || name === '::1' || /^127\.\d+\.\d+\.\d+$/.test(name);
}
