// Where MLflow's APIs live under a target: the one builder of a target's MLflow base, and of the REST
// and artifact-proxy roots under it. (The follow-up probes in diagnosis/probes/ still write their own
// paths from the base: ARCHITECTURE.md, "src/mlflow".)

/** What of a target the MLflow URLs depend on (a resolved Target has these). */
export interface MlflowTargetUrls {
  kind: 'hokusai' | 'mlflow';
  registryUrl?: string | undefined;
  mlflowPath: string;
  mlflowUrl?: string | undefined;
}

/**
 * Base of MLflow calls as the user's MLflow client sees it: `${registryUrl}${mlflowPath}` through the
 * API's proxy (kind 'hokusai'), or the plain MLflow URL (kind 'mlflow').
 */
export function mlflowBaseUrl(target: MlflowTargetUrls): string {
  if (target.kind === 'mlflow') return stripSlashes(target.mlflowUrl ?? '');
  return `${stripSlashes(target.registryUrl ?? '')}${target.mlflowPath}`;
}

/** The REST API root under an MLflow base (a proxy mount or a direct URL): `${base}/api/2.0/mlflow`. */
export function mlflowRestUrl(base: string): string {
  return `${stripSlashes(base)}/api/2.0/mlflow`;
}

/** The artifact proxy (`--serve-artifacts`) under an MLflow base: `${base}/api/2.0/mlflow-artifacts/artifacts`. */
export function mlflowArtifactsUrl(base: string): string {
  return `${stripSlashes(base)}/api/2.0/mlflow-artifacts/artifacts`;
}

function stripSlashes(url: string): string {
  return url.replace(/\/+$/, '');
}
