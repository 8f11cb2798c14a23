// Where a run's artifacts live under the mlflow-artifacts root, from the run's artifact_uri. Shared by
// the artifact step and `sweep`.

/** Experiment and run ids as MLflow makes them (digits; 32 hex): nothing that could step out of a path. */
const SAFE_ID = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;

export type ArtifactLocation = { ok: true; path: string } | { ok: false; problem: string };

/**
 * '<exp>/<run>/artifacts' of the run the check created, the only place it sends artifacts to or deletes
 * from. An `mlflow-artifacts:` artifact_uri must be exactly `mlflow-artifacts:/<exp>/<run>/artifacts`
 * of that run (an authority `//host` is allowed); any other scheme (s3://…, failure mode 28) gets the
 * layout MLflow's proxy uses for it, from the same ids. Anything else is refused.
 */
export function runArtifactPath(artifactUri: string | undefined, experimentId?: string, runId?: string): ArtifactLocation {
  if (experimentId === undefined || !SAFE_ID.test(experimentId))
    return { ok: false, problem: `experiment id ${shown(experimentId)} is not an MLflow id` };
  if (runId === undefined || !SAFE_ID.test(runId)) return { ok: false, problem: `run id ${shown(runId)} is not an MLflow id` };
  const path = `${experimentId}/${runId}/artifacts`;
  if (artifactUri !== undefined && /^mlflow-artifacts:/i.test(artifactUri)) {
    const m = /^mlflow-artifacts:(?:\/\/[A-Za-z0-9.:[\]-]*)?\/(.*?)\/?$/.exec(artifactUri);
    if (m?.[1] !== path) return { ok: false, problem: `artifact_uri ${shown(artifactUri)} is not mlflow-artifacts:/${path} (this run's)` };
  }
  return { ok: true, path };
}

function shown(value: string | undefined): string {
  return value === undefined ? '(none)' : JSON.stringify(value.length > 120 ? `${value.slice(0, 117)}…` : value);
}
