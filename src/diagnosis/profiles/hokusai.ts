// The Hokusai services, as the platform's public repository (Hokusai-protocol/hokusai-data-pipeline)
// shows them: the API service (FastAPI on uvicorn), its MLflow
// proxy (part of the API: its own answers when it cannot reach MLflow), and the auth service. Their
// own answers are JSON with `detail` (FastAPI), and the proxy's rewritten 404 code.
import type { Profile } from './types.js';

export const hokusaiApi = { id: 'hokusai-api', words: 'the Hokusai API', role: 'service' } as const satisfies Profile;

export const hokusaiProxy = {
  id: 'hokusai-proxy',
  words: "the API's MLflow proxy",
  role: 'service',
  fixes: {
    'upstream-unreachable':
      "Check the proxy's MLflow URL (MLFLOW_SERVER_URL / MLFLOW_TRACKING_URI on the API), that the name resolves inside the VPC (Cloud Map) and MLflow tasks are registered, that MLflow's security group admits the API on its port (5000), and with TLS that the proxy trusts MLflow's certificate (MLFLOW_CA_BUNDLE_PATH).",
    'upstream-timeout': "Raise the proxy's timeout (PROXY_TIMEOUT = 30 s) and stream request bodies instead of buffering them.",
  },
} as const satisfies Profile;

export const hokusaiAuth = { id: 'hokusai-auth', words: 'the auth service', role: 'service' } as const satisfies Profile;

/** The Hokusai API's MLflow proxy rewrites MLflow's HTML 404 to this code (PR #64); MLflow never uses it. */
export const HOKUSAI_PROXY_ERROR_CODE = 'RESOURCE_NOT_FOUND';

/** The proxy's own `detail` when it could not get MLflow's answer: 502 on a connect error, 504 after its 30 s timeout, else 500. */
export const HOKUSAI_PROXY_DETAIL = /Failed to connect to MLflow server|MLflow server request timeout|while proxying to MLflow/i;

/** The API's own `error` values: its scope check's 403, its registry-admin lock's 403, and the proxy's 503 with artifacts off. */
export const HOKUSAI_API_ERRORS: ReadonlySet<string> = new Set(['FORBIDDEN', 'REGISTRY_ADMIN_REQUIRED', 'ARTIFACTS_DISABLED']);
