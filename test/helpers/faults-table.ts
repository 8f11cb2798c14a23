// What hokus-check must conclude for each fault of the embedded stack (ARCHITECTURE.md,
// "Code map": src/sim): exit code, root-cause step and code, every step that does not pass, and every
// other finding. Judged against the platform's documented behaviour, not copied from
// the product's output. Shared by the fault e2e tests and the catalogue-coverage test.
import type { FaultName, StackOptions } from '../../src/sim/stack.js';
import type { StepId } from '../../src/steps/types.js';

/** A step's outcome when it is not 'pass': 'fail', 'warn', 'error', or 'blocked by <step>'. */
export type NotPass = 'fail' | 'warn' | 'error' | `blocked by ${StepId}`;

export interface FaultCase {
  fault: FaultName;
  /** Why the flags or stack options are needed, when there are any. */
  setup?: string;
  stack?: Omit<StackOptions, 'faults' | 'log'>;
  args?: string[];
  exit: number;
  /** The root-cause step and its finding's code; absent when nothing failed (warn-only faults). */
  root?: { step: StepId; code: string };
  /** Every step that does not pass; all others must pass. */
  steps: Partial<Record<StepId, NotPass>>;
  /** Every other finding, as 'CODE@step:severity'. */
  also?: string[];
  /** What the root-cause finding's cause (else the first warning's) must say: the hop, and what tells this fault apart. */
  cause?: RegExp;
  /** The report shows requests that were answered 503 and tried again. */
  retried?: boolean;
}

const AFTER_AUTH: Partial<Record<StepId, NotPass>> = {
  experiments: 'blocked by auth',
  run: 'blocked by auth',
  artifact: 'blocked by auth',
  register: 'blocked by auth',
};
const AFTER_EXPERIMENTS: Partial<Record<StepId, NotPass>> = {
  run: 'blocked by experiments',
  artifact: 'blocked by experiments',
  register: 'blocked by experiments',
};

export const FAULT_CASES: FaultCase[] = [
  // The incident: the API's own MLflow check is degraded by the same misrouting, linked, not a second cause.
  {
    fault: 'artifacts-misrouted',
    exit: 1,
    root: { step: 'artifact', code: 'ROUTE_ARTIFACTS_MISROUTED' },
    steps: { health: 'warn', artifact: 'fail', register: 'blocked by artifact' },
    also: ['HEALTH_DEGRADED@health:warn'],
    cause: /proxy routes `mlflow-artifacts` requests to the wrong upstream or prefix.*via ajax-api\/2\.0\/mlflow-artifacts succeeded/,
  },
  {
    fault: 'artifacts-misrouted-external',
    exit: 1,
    root: { step: 'artifact', code: 'ROUTE_ARTIFACTS_MISROUTED' },
    steps: { artifact: 'fail', register: 'blocked by artifact' },
    cause: /proxy routes `mlflow-artifacts` requests to the wrong upstream or prefix.*from the AWS load balancer/,
  },
  {
    fault: 'artifacts-not-served',
    exit: 1,
    root: { step: 'artifact', code: 'MLFLOW_ARTIFACTS_NOT_SERVED' },
    steps: { artifact: 'fail', register: 'blocked by artifact' },
    cause: /MLflow does not serve its artifact routes.*via ajax-api\/2\.0\/mlflow-artifacts it got 404 too/,
  },
  {
    fault: 'service-id-mismatch',
    exit: 1,
    root: { step: 'auth', code: 'AUTH_SERVICE_ID_MISMATCH' },
    steps: { auth: 'fail', ...AFTER_AUTH },
    cause: /not for service_id 'platform'.*registered for 'ml-platform'/,
  },
  {
    fault: 'key-invalid',
    exit: 1,
    root: { step: 'auth', code: 'AUTH_KEY_INVALID' },
    steps: { auth: 'fail', ...AFTER_AUTH },
    cause: /auth service rejects the key.*also without a service_id/,
  },
  {
    fault: 'auth-down',
    exit: 1,
    root: { step: 'auth', code: 'AUTH_SERVICE_DOWN' },
    steps: { auth: 'fail', ...AFTER_AUTH },
    cause: /validate got 503 .*the API agrees: .* got 503 "Authentication service error"/,
  },
  {
    fault: 'auth-down-legacy',
    exit: 1,
    root: { step: 'auth', code: 'AUTH_SERVICE_DOWN' },
    steps: { auth: 'fail', ...AFTER_AUTH },
    cause: /validate got 503 .*the API agrees: .* got 401 "Authentication service unavailable"/,
  },
  // Auth rejects the key; the registry still serves it from its cache: a warning next to the auth failure.
  {
    fault: 'auth-cache-masking',
    exit: 1,
    root: { step: 'auth', code: 'AUTH_KEY_INVALID' },
    steps: { auth: 'fail', ...AFTER_AUTH },
    also: ['AUTH_CACHE_MASKING@auth:warn'],
    cause: /auth service rejects the key/,
  },
  {
    fault: 'rate-limited',
    exit: 1,
    root: { step: 'auth', code: 'AUTH_RATE_LIMITED' },
    steps: { auth: 'fail', ...AFTER_AUTH },
    cause: /rate limited.*Retry-After: 30/,
  },
  // Reads pass (experiments/search); the first write (creating the experiment or run) is refused.
  {
    fault: 'scope-missing',
    exit: 1,
    root: { step: 'run', code: 'AUTH_SCOPE_MISSING' },
    steps: { run: 'fail', artifact: 'blocked by run', register: 'blocked by run' },
    cause: /may not write.*403 FORBIDDEN/,
  },
  {
    fault: 'admin-required',
    exit: 1,
    root: { step: 'experiments', code: 'AUTH_ADMIN_REQUIRED' },
    steps: { experiments: 'fail', ...AFTER_EXPERIMENTS },
    cause: /REGISTRY_ADMIN_REQUIRED/,
  },
  {
    fault: 'auth-header-stripped',
    exit: 1,
    root: { step: 'experiments', code: 'AUTH_HEADER_STRIPPED' },
    steps: { health: 'warn', experiments: 'fail', ...AFTER_EXPERIMENTS },
    also: ['HEALTH_DEGRADED@health:warn'],
    cause: /proxy does not forward the API key to MLflow/,
  },
  {
    fault: 'proxy-not-mounted',
    exit: 1,
    root: { step: 'experiments', code: 'ROUTE_PROXY_NOT_MOUNTED' },
    steps: { experiments: 'fail', ...AFTER_EXPERIMENTS },
    cause: /no route at \/api\/mlflow.*not mounted/,
  },
  // health runs first and meets the load balancer's 503 too: it is the first failing step.
  {
    fault: 'no-healthy-targets',
    exit: 1,
    root: { step: 'health', code: 'GATEWAY_UPSTREAM_UNREACHABLE' },
    steps: { health: 'fail', experiments: 'fail', ...AFTER_EXPERIMENTS },
    cause:
      /^The AWS load balancer at .* cannot reach the Hokusai API for any path \(all \d+ registry requests, \/health included, got its own 503\)/,
  },
  {
    fault: 'upstream-unreachable',
    exit: 1,
    root: { step: 'experiments', code: 'GATEWAY_UPSTREAM_UNREACHABLE' },
    steps: { health: 'warn', experiments: 'fail', ...AFTER_EXPERIMENTS },
    also: ['HEALTH_DEGRADED@health:warn'],
    cause: /cannot connect to MLflow at http:\/\/\S+.*Failed to connect to MLflow server at/,
  },
  {
    fault: 'gateway-timeout',
    exit: 1,
    root: { step: 'artifact', code: 'GATEWAY_TIMEOUT' },
    steps: { artifact: 'fail', register: 'blocked by artifact' },
    cause: /504 "MLflow server request timeout after 30\.0s"/,
  },
  {
    fault: 'body-too-large',
    setup: 'a 1 KiB body limit, under the default 4 KiB artifact',
    stack: { maxBodyBytes: 1024 },
    exit: 1,
    root: { step: 'artifact', code: 'ARTIFACT_TOO_LARGE' },
    steps: { artifact: 'fail', register: 'blocked by artifact' },
    cause: /refused as too large.*413/,
  },
  // The proxy path still works, so the check passes; real clients would write to s3 directly.
  {
    fault: 'artifact-root-s3',
    exit: 0,
    steps: { run: 'warn' },
    also: ['ARTIFACT_ROOT_BYPASSES_PROXY@run:warn'],
    cause: /artifact_uri s3:\/\/.*bypassing the proxy/,
  },
  {
    fault: 'storage-denied',
    exit: 1,
    root: { step: 'artifact', code: 'ARTIFACT_STORAGE_DENIED' },
    steps: { artifact: 'fail', register: 'blocked by artifact' },
    cause: /cannot access its artifact store \(AccessDenied\)/,
  },
  {
    fault: 'artifact-corrupted',
    exit: 1,
    root: { step: 'artifact', code: 'ARTIFACT_CORRUPTED' },
    steps: { artifact: 'fail', register: 'blocked by artifact' },
    cause: /sha256 mismatch/,
  },
  {
    fault: 'registry-failed',
    exit: 1,
    root: { step: 'register', code: 'REGISTRY_FAILED' },
    steps: { register: 'fail' },
    cause: /FAILED_REGISTRATION/,
  },
  {
    fault: 'registry-pending-forever',
    setup: '--register-wait 1s, so the deadline comes quickly',
    args: ['--register-wait', '1s'],
    exit: 1,
    root: { step: 'register', code: 'REGISTRY_FAILED' },
    steps: { register: 'fail' },
    cause: /still PENDING_REGISTRATION when the check stopped waiting/,
  },
  {
    fault: 'backend-db-error',
    exit: 1,
    root: { step: 'experiments', code: 'MLFLOW_BACKEND_ERROR' },
    steps: { health: 'warn', experiments: 'fail', ...AFTER_EXPERIMENTS },
    also: ['HEALTH_DEGRADED@health:warn'],
    cause: /backend database is failing \(password authentication failed\)/,
  },
  {
    fault: 'host-not-allowed',
    exit: 1,
    root: { step: 'experiments', code: 'MLFLOW_HOST_NOT_ALLOWED' },
    steps: { health: 'warn', experiments: 'fail', ...AFTER_EXPERIMENTS },
    also: ['HEALTH_DEGRADED@health:warn'],
    cause: /refuses the Host header/,
  },
  {
    fault: 'html-instead-of-json',
    exit: 1,
    root: { step: 'experiments', code: 'RESPONSE_NOT_JSON' },
    steps: { experiments: 'fail', ...AFTER_EXPERIMENTS },
    cause: /HTML page .* where JSON was due/,
  },
  { fault: 'health-degraded', exit: 0, steps: { health: 'warn' }, also: ['HEALTH_DEGRADED@health:warn'], cause: /redis is unhealthy/ },
  // An older API without /api/health/mlflow: a note, not a failure, no finding.
  { fault: 'health-mlflow-missing', exit: 0, steps: {} },
  {
    fault: 'slow',
    setup: 'registered-models/create waits 2.5 s; --timeout 1s',
    stack: { slowMs: 2500 },
    args: ['--timeout', '1s'],
    // The registry answered every step before: a hop slower than --timeout is a failure (exit 1).
    exit: 1,
    root: { step: 'register', code: 'NET_TIMEOUT' },
    steps: { register: 'fail' },
    cause:
      /sent no response to registered-models\/create within the 1\.0 s --timeout \(first-byte timeout\); it answered \d+ earlier requests/,
  },
  {
    fault: 'proxy-drops-delete-body',
    exit: 0,
    steps: { cleanup: 'warn' },
    also: ['PROXY_DROPS_DELETE_BODY@cleanup:warn'],
    cause: /drops the body of DELETE requests/,
  },
  // The 500 names sqlite3.OperationalError: the backend store, not a generic error.
  {
    fault: 'runs-create-500',
    exit: 1,
    root: { step: 'run', code: 'MLFLOW_BACKEND_ERROR' },
    steps: { run: 'fail', artifact: 'blocked by run', register: 'blocked by run' },
    cause: /backend database is failing \(database is locked\)/,
  },
  {
    fault: 'mlflow-crash',
    exit: 1,
    root: { step: 'run', code: 'MLFLOW_INTERNAL_ERROR' },
    steps: { run: 'fail', artifact: 'blocked by run', register: 'blocked by run' },
    cause: /^MLflow failed inside while handling runs\/create .*500 HTML page "500 Internal Server Error" from MLflow .*its tracking store/,
  },
  // A busy server answers runs/create after the check's timeout, and makes the run all the same: cleanup finds it by its tag.
  {
    fault: 'late-create',
    setup: 'runs/create answers after 2.5 s; --timeout 1s',
    stack: { slowMs: 2500 },
    args: ['--timeout', '1s'],
    exit: 1,
    root: { step: 'run', code: 'NET_TIMEOUT' },
    steps: { run: 'fail', artifact: 'blocked by run', register: 'blocked by run' },
  },
  // A cache answers runs/create with someone else's run: the check fails the step, leaves that run alone, and deletes its own.
  {
    fault: 'foreign-run',
    exit: 1,
    root: { step: 'run', code: 'RESPONSE_FOREIGN_OBJECT' },
    steps: { run: 'fail', artifact: 'blocked by run', register: 'blocked by run' },
    cause: /^runs\/create \(x\d+\) answered run [0-9a-f]{32} \(important-training-run\), which is not what this check created/,
  },
  // The store refuses deletes: the artifacts stay, and so does their run (tagged) for sweep.
  {
    fault: 'artifact-delete-fails',
    exit: 0,
    steps: { cleanup: 'warn' },
    also: ['ARTIFACT_STORAGE_DENIED@cleanup:warn', 'CLEANUP_LEFTOVERS@cleanup:warn'],
  },
  // Two ALB 503s per path, absorbed by the retries.
  { fault: 'flaky-503', exit: 0, steps: {}, retried: true },
  // Without --wait the registry is still coming up when the check runs.
  {
    fault: 'starting-up',
    setup: 'unhealthy for 60 s, longer than the run',
    stack: { unhealthyForMs: 60_000 },
    exit: 1,
    root: { step: 'health', code: 'GATEWAY_UPSTREAM_UNREACHABLE' },
    steps: { health: 'fail', experiments: 'fail', ...AFTER_EXPERIMENTS },
    cause: /^The AWS load balancer at .* cannot reach the Hokusai API for any path/,
  },
  // The answer echoes the key: nothing specific recognises it, and the key must not leak.
  {
    fault: 'echo-key',
    exit: 1,
    root: { step: 'experiments', code: 'UNEXPECTED_RESPONSE' },
    steps: { experiments: 'fail', ...AFTER_EXPERIMENTS },
    cause: /500 "upstream rejected key hk_test_…\w{4}"/,
  },
];

/** Second looks at a fault with other flags: what else it must produce. */
export const EXTRA_CASES: FaultCase[] = [
  {
    fault: 'slow',
    setup: 'the whole check has 3 s; registered-models/create waits 8 s',
    stack: { slowMs: 8000 },
    args: ['--deadline', '3s'],
    // Everything before answered: the step the deadline ended failed (exit 1), not an unreachable target.
    exit: 1,
    root: { step: 'register', code: 'DEADLINE_EXCEEDED' },
    steps: { register: 'fail' },
    cause: /deadline passed while registered-models\/create waited/,
  },
  // With --wait, the check polls health until the registry is up, then passes.
  {
    fault: 'starting-up',
    setup: '--wait 20s; unhealthy for 1 s',
    stack: { unhealthyForMs: 1000 },
    args: ['--wait', '20s'],
    exit: 0,
    steps: {},
  },
];

/** Codes these tables expect the CLI to produce. */
export function codesInTable(): Set<string> {
  const codes = new Set<string>();
  for (const c of [...FAULT_CASES, ...EXTRA_CASES]) {
    if (c.root) codes.add(c.root.code);
    for (const a of c.also ?? []) codes.add(a.split('@')[0]!);
  }
  return codes;
}
