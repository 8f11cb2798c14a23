// The built-in values of the target settings a user may leave out: one owner, read by resolve.ts's
// tables, the commands printed for users (target-flags.ts) and the report's repro lines.
export const TARGET_DEFAULTS = {
  /** The proxy mount of MLflow on the registry. */
  mlflowPath: '/api/mlflow',
  /** The service the key must be valid for. */
  serviceId: 'platform',
  /** The env var that holds the key. */
  apiKeyEnv: 'HOKUSAI_API_KEY',
} as const;
