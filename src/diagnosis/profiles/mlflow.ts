// MLflow's tracking server, as the recordings show it (test/fixtures/mlflow-2.12.2, -2.12.2-basic-auth,
// -3.5.1): the answers it writes itself, whatever is in front of it. These marks place an answer as
// MLflow's own (fingerprint.ts); anything else on a path MLflow serves was written in front of it.
import type { Profile } from './types.js';

/** MLflow 2.x's web servers: gunicorn (`mlflow server` on Linux), waitress or Werkzeug. */
const MLFLOW_2_SERVER = /^(gunicorn|Werkzeug|waitress)\b/i;

/**
 * Whether a `Server` value is one of MLflow's web servers: MLflow 2.x's, or uvicorn (MLflow 3.3+).
 * uvicorn alone names no one (the Hokusai services run it too): for an answer already placed as
 * MLflow's, not to place one.
 */
export function isMlflowWebServer(server: string): boolean {
  return MLFLOW_2_SERVER.test(server) || /^uvicorn\b/i.test(server);
}

export const mlflow = {
  id: 'mlflow',
  words: 'MLflow',
  role: 'service',
  headers: [
    // MLflow 2.x is served by gunicorn (Linux) or waitress/Werkzeug; MLflow 3.3+ by uvicorn, which the
    // Hokusai API and auth service use too: `server: uvicorn` alone names no one (fingerprint.ts).
    {
      header: 'server',
      value: MLFLOW_2_SERVER,
      source: 'fixtures/mlflow-2.12.2: MLflow 2.x answers with `server: gunicorn` (mlflow server) or `Werkzeug/…` (flask dev server)',
    },
  ],
  pages: [
    {
      status: [400, 403, 413, 431, 500],
      body: /^<html>\s*<head>\s*<title>[^<]*<\/title>\s*<\/head>\s*<body>\s*<h1><p>[^<]*<\/p><\/h1>/i,
      header: { name: 'server', value: /^gunicorn/i },
      source: "documented: gunicorn's own error page (gunicorn/util.py write_error) — MLflow 2.x's server process",
    },
  ],
} as const satisfies Profile;

/**
 * MLflow's own error codes (the ErrorCode enum of mlflow/protos/databricks.proto). A JSON error with
 * any other `error_code` was not written by MLflow.
 */
export const MLFLOW_ERROR_CODES: ReadonlySet<string> = new Set([
  'INTERNAL_ERROR',
  'TEMPORARILY_UNAVAILABLE',
  'IO_ERROR',
  'BAD_REQUEST',
  'SERVICE_UNDER_MAINTENANCE',
  'WORKSPACE_TEMPORARILY_UNAVAILABLE',
  'DEADLINE_EXCEEDED',
  'CANCELLED',
  'RESOURCE_EXHAUSTED',
  'ABORTED',
  'NOT_FOUND',
  'ALREADY_EXISTS',
  'UNAUTHENTICATED',
  'INVALID_PARAMETER_VALUE',
  'ENDPOINT_NOT_FOUND',
  'MALFORMED_REQUEST',
  'INVALID_STATE',
  'PERMISSION_DENIED',
  'FEATURE_DISABLED',
  'CUSTOMER_UNAUTHORIZED',
  'REQUEST_LIMIT_EXCEEDED',
  'RESOURCE_CONFLICT',
  'UNPARSEABLE_HTTP_ERROR',
  'NOT_IMPLEMENTED',
  'DATA_LOSS',
  'INVALID_STATE_TRANSITION',
  'COULD_NOT_ACQUIRE_LOCK',
  'RESOURCE_ALREADY_EXISTS',
  'RESOURCE_DOES_NOT_EXIST',
  'QUOTA_EXCEEDED',
  'MAX_BLOCK_SIZE_EXCEEDED',
  'MAX_READ_SIZE_EXCEEDED',
  'PARTIAL_DELETE',
  'MAX_LIST_SIZE_EXCEEDED',
  'DRY_RUN_FAILED',
  'RESOURCE_LIMIT_EXCEEDED',
  'DIRECTORY_NOT_EMPTY',
  'DIRECTORY_PROTECTED',
  'MAX_NOTEBOOK_SIZE_EXCEEDED',
]);

/**
 * Flask/Werkzeug's error page, byte-shaped as MLflow serves it (fixtures/mlflow-2.12.2: 404, 405,
 * 400, and the 500 of an unhandled exception), through any proxy.
 */
export function isWerkzeugPage(text: string): boolean {
  return /^<!doctype html>\s*<html lang=en>\s*<title>\d{3} [^<]*<\/title>/i.test(text.trim());
}

/** Werkzeug's 500 page: MLflow's web stack caught an exception it does not turn into JSON. */
export function isWerkzeugCrash(text: string): boolean {
  return /^<!doctype html>\s*<html lang=en>\s*<title>500 Internal Server Error<\/title>/i.test(text.trim());
}

/**
 * Plain texts MLflow writes itself (recorded): its basic-auth app's refusals, MLflow 3's host and
 * CORS checks, and form-content errors. Each with the statuses it comes with.
 */
const OWN_TEXTS: ReadonlyArray<{ status: readonly number[]; text: RegExp }> = [
  { status: [401], text: /^You are not authenticated\. Please see https:\/\/www\.mlflow\.org\// },
  { status: [403], text: /^Permission denied$/ },
  { status: [403], text: /^Invalid Host header - possible DNS rebinding attack detected$/ },
  { status: [403], text: /^Cross-origin request blocked$/ },
  { status: [400], text: /^Invalid content type\. Must be one of: / },
];

export function isMlflowText(status: number, text: string): boolean {
  return OWN_TEXTS.some((t) => t.status.includes(status) && t.text.test(text));
}
