// The MLflow REST endpoints the check, its cleanup and `sweep` call, under api/2.0/mlflow/: one owner
// for each name. A call's label is its endpoint (mlflow/client.ts), so the diagnosis finds an exchange
// by these same constants (src/diagnosis/evidence-query.ts); the check's other requests are labelled
// in steps/labels.ts. The simulator's routes are the server's side and name their paths themselves.
export const ENDPOINT = {
  experimentsSearch: 'experiments/search',
  experimentsGetByName: 'experiments/get-by-name',
  experimentsCreate: 'experiments/create',
  runsCreate: 'runs/create',
  runsGet: 'runs/get',
  runsSearch: 'runs/search',
  runsDelete: 'runs/delete',
  registeredModelsCreate: 'registered-models/create',
  registeredModelsGet: 'registered-models/get',
  registeredModelsSearch: 'registered-models/search',
  registeredModelsDelete: 'registered-models/delete',
  modelVersionsCreate: 'model-versions/create',
  modelVersionsGet: 'model-versions/get',
  modelVersionsSearch: 'model-versions/search',
  modelVersionsDelete: 'model-versions/delete',
  experimentsGet: 'experiments/get',
  experimentsRestore: 'experiments/restore',
} as const;

export type Endpoint = (typeof ENDPOINT)[keyof typeof ENDPOINT];
