// Named faults of the simulated stack: each reproduces one way the real platform fails, as the
// client sees it ([#N] numbers the platform failure mode; test/helpers/faults-table.ts holds what the check must conclude for each). `hokus-check sim --list-faults` prints these.

export const FAULT_NAMES = [
  'artifacts-misrouted',
  'artifacts-misrouted-external',
  'artifacts-not-served',
  'service-id-mismatch',
  'key-invalid',
  'auth-down',
  'auth-down-legacy',
  'auth-cache-masking',
  'rate-limited',
  'scope-missing',
  'admin-required',
  'auth-header-stripped',
  'proxy-not-mounted',
  'no-healthy-targets',
  'upstream-unreachable',
  'gateway-timeout',
  'body-too-large',
  'artifact-root-s3',
  'storage-denied',
  'artifact-corrupted',
  'registry-failed',
  'registry-pending-forever',
  'backend-db-error',
  'host-not-allowed',
  'html-instead-of-json',
  'health-degraded',
  'health-mlflow-missing',
  'slow',
  'proxy-drops-delete-body',
  'runs-create-500',
  'mlflow-crash',
  'late-create',
  'foreign-run',
  'artifact-delete-fails',
  'flaky-503',
  'starting-up',
  'echo-key',
] as const;

export type FaultName = (typeof FAULT_NAMES)[number];

export const FAULTS: Record<FaultName, { summary: string }> = {
  'artifacts-misrouted': {
    summary:
      "the incident [#7]: proxy targets MLflow under its /mlflow static prefix and rewrites only api/2.0/mlflow/ to ajax-api, so artifact calls get Flask's HTML 404",
  },
  'artifacts-misrouted-external': {
    summary: 'the proxy sends mlflow-artifacts paths to another upstream (an ALB) that answers an HTML 404 [#7, PR #60]',
  },
  'artifacts-not-served': {
    summary: "MLflow runs without --serve-artifacts: /api/2.0/mlflow-artifacts/* is Flask's 404 on MLflow itself [#6]",
  },
  'service-id-mismatch': {
    summary: "the key is registered for 'ml-platform': validation with service_id 'platform' is 401, without it 200 [#1]",
  },
  'key-invalid': { summary: 'the key is unknown: auth answers 401 with and without service_id; the API 401s' },
  'auth-down': {
    summary: 'the auth service is down (ALB 503 HTML); the API answers 503 "Authentication service error" [#3]',
  },
  'auth-down-legacy': {
    summary: 'the auth service is down; an older API answers 401 "Authentication service unavailable" [#3]',
  },
  'auth-cache-masking': {
    summary: 'auth rejects the key, but the API still accepts it from its 300 s validation cache',
  },
  'rate-limited': { summary: 'auth answers 429 Rate limit exceeded (Retry-After: 30); the API answers 429 [#26]' },
  'scope-missing': {
    summary: 'the key has scope "read" only: writes under /api/mlflow get 403 with required_scope [#20]',
  },
  'admin-required': {
    summary: 'the registry needs an admin key: every /api/mlflow path gets 403 REGISTRY_ADMIN_REQUIRED [#21]',
  },
  'auth-header-stripped': {
    summary: 'the proxy drops Authorization/X-API-Key, and the gateway in front of MLflow answers 401 API key required [#12]',
  },
  'proxy-not-mounted': { summary: 'the /api/mlflow router is not mounted: FastAPI 404 {"detail":"Not Found"} [#10]' },
  'no-healthy-targets': { summary: 'the registry ALB has no healthy targets: ALB 503 HTML on every path [#14/#15]' },
  'upstream-unreachable': {
    summary: 'the proxy cannot connect to MLflow: 502 "Failed to connect to MLflow server at …" [#13]',
  },
  'gateway-timeout': {
    summary: 'artifact uploads through the proxy time out: 504 "MLflow server request timeout after 30.0s" [#24]',
  },
  'body-too-large': { summary: 'nginx in front of the registry rejects artifact bodies over the limit with 413' },
  'artifact-root-s3': {
    summary: "MLflow's default artifact root is s3://…: runs get s3:// artifact URIs that bypass the proxy [#28]",
  },
  'storage-denied': { summary: "MLflow's role cannot write the bucket: artifact PUT is 500 AccessDenied" },
  'artifact-corrupted': { summary: 'artifact downloads come back with one byte flipped (same length)' },
  'registry-failed': { summary: 'model versions end in FAILED_REGISTRATION with a status_message' },
  'registry-pending-forever': { summary: 'model versions stay PENDING_REGISTRATION forever' },
  'backend-db-error': {
    summary: "MLflow's backend database refuses it: every tracking/registry call is 500 psycopg2.OperationalError [#18/#19]",
  },
  'host-not-allowed': {
    summary: 'MLflow 3 host allow-list rejects the proxy: 403 "Invalid Host header - possible DNS rebinding attack detected" [#23]',
  },
  'html-instead-of-json': { summary: 'experiments/search through the proxy answers 200 with the MLflow UI HTML page' },
  'health-degraded': { summary: 'the API /health reports status "degraded" (redis unhealthy); everything else works' },
  'health-mlflow-missing': { summary: 'an older API without /api/health/mlflow (FastAPI 404)' },
  slow: {
    summary:
      "registered-models/create and model-versions/get on MLflow wait slowMs (default 12 s: past the check's 10 s timeout); the model is created all the same (a busy server)",
  },
  'proxy-drops-delete-body': {
    summary:
      'the real proxy: DELETE bodies are not forwarded, so registry deletes through it are 400 "Missing value for required parameter \'name\'"',
  },
  'runs-create-500': { summary: 'runs/create answers 500 INTERNAL_ERROR' },
  'late-create': {
    summary: 'runs/create answers after slowMs (default 12 s), and creates the run even when the client gave up first (a busy server)',
  },
  'foreign-run': {
    summary: "runs/create creates the check's run but answers with another run, important-training-run (a buggy cache in front)",
  },
  'artifact-delete-fails': {
    summary: "DELETE on the artifact proxy answers 500: the store refuses deletes (MLflow's role may write but not delete)",
  },
  'mlflow-crash': {
    summary: "runs/create raises inside MLflow (a locked or unreachable tracking store): Werkzeug's 500 Internal Server Error page",
  },
  'flaky-503': { summary: 'the first 2 GET /health and the first 2 experiments/search answer ALB 503, then normal' },
  'starting-up': { summary: 'every registry path answers ALB 503 until unhealthyForMs (default 1.5 s) after start' },
  'echo-key': { summary: 'experiments/search through the proxy echoes the key in a header and a 500 body (redaction test)' },
};

export function isFaultName(s: unknown): s is FaultName {
  return typeof s === 'string' && Object.prototype.hasOwnProperty.call(FAULTS, s);
}
