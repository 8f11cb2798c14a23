// Where the API service's proxy and health probe reach MLflow (its MLFLOW_SERVER_URL), and how
// the routing faults bend that: a static-prefix base with the ajax-api rewrite (the incident), a
// different upstream for artifact paths, an unreachable address, a non-local Host header.
import type { FaultName } from '../faults.js';

export interface Upstream {
  /** Base URL requests are sent to (may carry a path, e.g. …/mlflow). */
  base: string;
  /** The URL the API names in its messages. */
  display: string;
  /** Rewrite a leading api/2.0/mlflow/ to ajax-api/2.0/mlflow/ (as for registry.hokus.ai). */
  rewriteTrackingToAjax: boolean;
  /** Paths containing mlflow-artifacts go here instead (artifacts-misrouted-external). */
  artifactsBase?: string;
  /** Host header to send instead of the base's (host-not-allowed). */
  hostHeader?: string;
}

export const CLOUD_MAP_URL = 'http://mlflow.hokusai-development.local:5000';

export function upstreamFor(faults: ReadonlySet<FaultName>, urls: { mlflow: string; external?: string; closed: string }): Upstream {
  if (faults.has('upstream-unreachable')) return { base: urls.closed, display: CLOUD_MAP_URL, rewriteTrackingToAjax: false };
  if (faults.has('artifacts-misrouted')) {
    return { base: `${urls.mlflow}/mlflow`, display: `${urls.mlflow}/mlflow`, rewriteTrackingToAjax: true };
  }
  return {
    base: urls.mlflow,
    display: urls.mlflow,
    rewriteTrackingToAjax: false,
    ...(faults.has('artifacts-misrouted-external') && urls.external ? { artifactsBase: urls.external } : {}),
    ...(faults.has('host-not-allowed') ? { hostHeader: new URL(CLOUD_MAP_URL).host } : {}),
  };
}

/** The URL a proxied path (everything after the mount prefix) is sent to. */
export function targetUrl(up: Upstream, subpath: string, query: string): string {
  let path = subpath.replace(/^\/+/, '');
  let base = up.base;
  if (up.artifactsBase && path.includes('mlflow-artifacts')) base = up.artifactsBase;
  else if (up.rewriteTrackingToAjax && path.startsWith('api/2.0/mlflow/')) path = `ajax-${path}`;
  return `${base.replace(/\/+$/, '')}/${path}${query ? `?${query}` : ''}`;
}
