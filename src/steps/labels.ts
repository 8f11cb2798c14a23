// The labels of the check's own requests that are not an MLflow endpoint: what a person reads in the
// matrix and the evidence, and what the diagnosis finds a request by. One owner: the steps send with
// these, the rules look them up by these (MLflow calls are labelled by their endpoint: mlflow/client.ts, mlflow/deletes.ts).
export const LABEL = {
  validate: 'validate',
  validateWithoutServiceId: 'validate without service_id',
  apiHealth: 'GET /health',
  mlflowHealth: 'GET /api/health/mlflow',
  mlflowVersion: 'GET /version',
  authHealth: 'auth /health',
  putArtifact: 'PUT artifact',
  getArtifact: 'GET artifact',
  listArtifacts: 'list artifacts',
} as const;

export type Label = (typeof LABEL)[keyof typeof LABEL];
