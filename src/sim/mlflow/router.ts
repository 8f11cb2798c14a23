// Flask's URL map for the simulated server: every API route at /api/2.0/... and mirrored at
// <static-prefix>/ajax-api/2.0/...; /health, /version and the UI routes under the static prefix
// only. (In MLflow ≤ 3.x the REST /api routes ignore --static-prefix: the incident's mechanism.)
// Routes of 2.12.2 that the simulator does not implement answer 501 NOT_IMPLEMENTED, so the URL
// map — and with it every 404 and 405 — stays as recorded.
import type { MlflowHandler, RouteDef, RouteKind } from './exchange.js';
import { MlflowError } from './wire.js';

export interface Route {
  pattern: string;
  pathParam: boolean;
  methods: string[];
  kind: RouteKind;
  handler: MlflowHandler;
}

export type Match =
  | { kind: 'route'; route: Route; artifactPath?: string }
  | { kind: 'not-found' }
  | { kind: 'method-not-allowed'; allow: string }
  | { kind: 'options'; allow: string };

export function buildRoutes(opts: { api: RouteDef[]; meta: RouteDef[]; staticPrefix: string }): Route[] {
  const prefix = opts.staticPrefix.replace(/\/+$/, '');
  const routes: Route[] = [];
  for (const def of [...opts.api, ...NOT_SIMULATED]) {
    for (const base of ['/api/2.0', `${prefix}/ajax-api/2.0`]) {
      routes.push({ pattern: base + def.path, pathParam: !!def.pathParam, methods: def.methods, kind: def.kind, handler: def.handler });
    }
  }
  for (const def of opts.meta) {
    routes.push({ pattern: prefix + def.path, pathParam: !!def.pathParam, methods: def.methods, kind: def.kind, handler: def.handler });
  }
  return routes;
}

export function matchRoute(routes: Route[], method: string, pathname: string): Match {
  const candidates: Array<{ route: Route; artifactPath?: string }> = [];
  for (const route of routes) {
    if (!route.pathParam) {
      if (pathname === route.pattern) candidates.push({ route });
    } else if (pathname.startsWith(`${route.pattern}/`)) {
      // werkzeug's <path:> converter: at least one character, not starting with '/'.
      const rest = pathname.slice(route.pattern.length + 1);
      if (rest && !rest.startsWith('/')) candidates.push({ route, artifactPath: rest });
    }
  }
  if (candidates.length === 0) return { kind: 'not-found' };
  const effective = method === 'HEAD' ? 'GET' : method;
  const hit = candidates.find((c) => c.route.methods.includes(effective));
  if (hit && method !== 'OPTIONS')
    return { kind: 'route', route: hit.route, ...(hit.artifactPath !== undefined ? { artifactPath: hit.artifactPath } : {}) };
  const methods = [...new Set(candidates.flatMap((c) => c.route.methods))];
  const allow = ['OPTIONS', ...(methods.includes('GET') ? ['HEAD'] : []), ...methods].join(', ');
  return method === 'OPTIONS' ? { kind: 'options', allow } : { kind: 'method-not-allowed', allow };
}

const notSimulated: MlflowHandler = (x) =>
  Promise.reject(new MlflowError('NOT_IMPLEMENTED', `hokus-check sim: ${x.req.method} ${x.pathname} is not simulated`));

const NOT_SIMULATED: RouteDef[] = [
  ['/mlflow/experiments/set-experiment-tag', 'POST', 'tracking'],
  ['/mlflow/experiments/update', 'POST', 'tracking'],
  ['/mlflow/metrics/get-history', 'GET', 'tracking'],
  ['/mlflow/metrics/get-history-bulk-interval', 'GET', 'tracking'],
  ['/mlflow/runs/delete-tag', 'POST', 'tracking'],
  ['/mlflow/runs/log-inputs', 'POST', 'tracking'],
  ['/mlflow/runs/log-model', 'POST', 'tracking'],
  ['/mlflow/runs/restore', 'POST', 'tracking'],
  ['/mlflow/model-versions/delete-tag', 'DELETE', 'registry'],
  ['/mlflow/model-versions/transition-stage', 'POST', 'registry'],
  ['/mlflow/model-versions/update', 'PATCH', 'registry'],
  ['/mlflow/registered-models/alias', 'DELETE', 'registry'],
  ['/mlflow/registered-models/alias', 'GET', 'registry'],
  ['/mlflow/registered-models/alias', 'POST', 'registry'],
  ['/mlflow/registered-models/delete-tag', 'DELETE', 'registry'],
  ['/mlflow/registered-models/rename', 'POST', 'registry'],
  ['/mlflow/registered-models/update', 'PATCH', 'registry'],
].map(([path, method, kind]) => ({ path: path as string, methods: [method as string], kind: kind as RouteKind, handler: notSimulated }));
