// Where a run's artifacts live under the mlflow-artifacts root, from the run's artifact_uri. Shared by
// the artifact step and `sweep`.

/**
 * '<exp>/<run>/artifacts' from the run's artifact_uri (`mlflow-artifacts:/1/<run>/artifacts`, also with an
 * authority); for other schemes (s3://…) the proxy layout MLflow would use.
 */
export function runArtifactPath(artifactUri: string | undefined, experimentId?: string, runId?: string): string {
  const m = artifactUri?.match(/^mlflow-artifacts:(?:\/\/[^/]*)?\/+(.*)$/);
  if (m?.[1]) return m[1].replace(/\/+$/, '');
  return `${experimentId ?? '0'}/${runId ?? 'unknown'}/artifacts`;
}
