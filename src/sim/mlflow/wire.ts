// MLflow 2.12.2's wire format as recorded (fixtures/mlflow-2.12.2): gunicorn's sync worker writes
// `Server: gunicorn`, `Date`, `Connection: close` first and closes the connection after every reply;
// Flask's reason phrases are upper-case; success bodies are json.dumps(indent=2) of the proto
// message (empty repeated fields left out), errors json.dumps({"error_code", "message"}); unknown
// routes and wrong methods are Flask's HTML pages.
import http from 'node:http';
import { drain } from '../http/body.js';
import { pyJsonDumps } from '../http/pyjson.js';
import { httpDate } from '../responders.js';

export const FLASK_404 =
  '<!doctype html>\n<html lang=en>\n<title>404 Not Found</title>\n<h1>Not Found</h1>\n<p>The requested URL was not found on the server. If you entered the URL manually please check your spelling and try again.</p>\n';
export const FLASK_405 =
  '<!doctype html>\n<html lang=en>\n<title>405 Method Not Allowed</title>\n<h1>Method Not Allowed</h1>\n<p>The method is not allowed for the requested URL.</p>\n';
export const FLASK_500 =
  '<!doctype html>\n<html lang=en>\n<title>500 Internal Server Error</title>\n<h1>Internal Server Error</h1>\n<p>The server encountered an internal error and was unable to complete your request. Either the server is overloaded or there is an error in the application.</p>\n';
export const FLASK_400 =
  '<!doctype html>\n<html lang=en>\n<title>400 Bad Request</title>\n<h1>Bad Request</h1>\n<p>The browser (or proxy) sent a request that this server could not understand.</p>\n';

const FLASK_PAGES: Record<number, string> = { 400: FLASK_400, 404: FLASK_404, 405: FLASK_405, 500: FLASK_500 };

const HTTP_STATUS_BY_ERROR_CODE: Record<string, number> = {
  INTERNAL_ERROR: 500,
  TEMPORARILY_UNAVAILABLE: 503,
  NOT_IMPLEMENTED: 501,
  BAD_REQUEST: 400,
  INVALID_PARAMETER_VALUE: 400,
  INVALID_STATE: 400,
  RESOURCE_ALREADY_EXISTS: 400,
  RESOURCE_DOES_NOT_EXIST: 404,
  ENDPOINT_NOT_FOUND: 404,
  PERMISSION_DENIED: 403,
  UNAUTHENTICATED: 401,
};

/** MlflowException: becomes `{"error_code", "message"}` with the code's HTTP status. */
export class MlflowError extends Error {
  constructor(
    readonly errorCode: string,
    message: string,
  ) {
    super(message);
  }

  get status(): number {
    return HTTP_STATUS_BY_ERROR_CODE[this.errorCode] ?? 500;
  }
}

/** A non-MlflowException error inside a handler: Flask answers its HTML 500. */
export class InternalServerError extends Error {}

/** `Server`, `Date`, `Connection: close` — the first three headers of every gunicorn reply. */
export function gunicornHeaders(clockSkewMs = 0): string[] {
  return ['Server', 'gunicorn', 'Date', httpDate(Date.now() + clockSkewMs), 'Connection', 'close'];
}

/** Test-only (StackOptions.clockSkewMs): how far this reply's server clock is off, for its Date header. */
const clockSkews = new WeakMap<http.ServerResponse, number>();

/** The MLflow server's clock is `ms` off (a broken NTP): its Date header says so (server.ts sets it per reply). */
export function setClockSkew(res: http.ServerResponse, ms: number): void {
  clockSkews.set(res, ms);
}

/**
 * Starts a gunicorn reply. The request body is drained first: the connection closes right after
 * the reply, and unread request bytes would turn that close into a reset the client may see
 * before the reply.
 */
export async function writeHead(res: http.ServerResponse, status: number, headers: string[]): Promise<void> {
  await drain(res.req);
  res.sendDate = false;
  res.statusMessage = (http.STATUS_CODES[status] ?? 'UNKNOWN').toUpperCase();
  res.writeHead(status, [...gunicornHeaders(clockSkews.get(res)), ...headers]);
}

export async function sendBody(
  res: http.ServerResponse,
  status: number,
  contentType: string,
  body: string,
  extra: string[] = [],
): Promise<void> {
  if (res.headersSent || res.destroyed) return;
  await writeHead(res, status, ['Content-Type', contentType, ...extra, 'Content-Length', String(Buffer.byteLength(body))]);
  res.end(res.req.method === 'HEAD' ? undefined : body);
}

/** A success body: the proto message as json.dumps(indent=2). */
export function sendProto(res: http.ServerResponse, message: Record<string, unknown>): Promise<void> {
  return sendBody(res, 200, 'application/json', pyJsonDumps(message, { indent: 2 }));
}

export function sendMlflowError(res: http.ServerResponse, err: MlflowError): Promise<void> {
  return sendBody(res, err.status, 'application/json', errorJson(err.errorCode, err.message));
}

export function errorJson(errorCode: string, message: string): string {
  return pyJsonDumps({ error_code: errorCode, message });
}

/** Flask/werkzeug's HTML error page (404, 405 with Allow, 500, 400). */
export function sendFlaskPage(res: http.ServerResponse, status: 400 | 404 | 405 | 500, allow?: string): Promise<void> {
  return sendBody(res, status, 'text/html; charset=utf-8', FLASK_PAGES[status] ?? FLASK_500, allow ? ['Allow', allow] : []);
}
