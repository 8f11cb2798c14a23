// The non-MLflow responders a client may meet on the way, each with its recognisable fingerprint:
// an AWS ALB (`server: awselb/2.0`, HTML error page), nginx (`server: nginx`, nginx HTML page) and
// FastAPI under uvicorn (`server: uvicorn`, compact JSON `{"detail": …}`).
import type http from 'node:http';
import { pyJsonDumps } from './http/pyjson.js';

const REASONS: Record<number, string> = {
  404: 'Not Found',
  413: 'Request Entity Too Large',
  502: 'Bad Gateway',
  503: 'Service Temporarily Unavailable',
  504: 'Gateway Time-out',
};

/** The ALB's own error page (same shape as nginx's, without the signature line). */
export function albPage(status: number): string {
  const title = `${status} ${REASONS[status] ?? 'Error'}`;
  return `<html>\r\n<head><title>${title}</title></head>\r\n<body>\r\n<center><h1>${title}</h1></center>\r\n</body>\r\n</html>\r\n`;
}

export function nginxPage(status: number): string {
  const title = `${status} ${REASONS[status] ?? 'Error'}`;
  return `<html>\r\n<head><title>${title}</title></head>\r\n<body>\r\n<center><h1>${title}</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n`;
}

export function sendAlb(res: http.ServerResponse, status: number): void {
  sendPage(res, status, 'awselb/2.0', albPage(status), ['Connection', 'keep-alive']);
}

export function sendNginx(res: http.ServerResponse, status: number): void {
  sendPage(res, status, 'nginx', nginxPage(status));
}

/** An HTML error page with the header order the real server sends. */
function sendPage(res: http.ServerResponse, status: number, server: string, body: string, extra: string[] = []): void {
  res.sendDate = false;
  res.writeHead(status, [
    'Server',
    server,
    'Date',
    httpDate(),
    'Content-Type',
    'text/html',
    'Content-Length',
    String(Buffer.byteLength(body)),
    ...extra,
  ]);
  res.end(body);
}

/** uvicorn's default headers, in its order: date, then server. */
export function uvicornHeaders(): string[] {
  return ['date', httpDate(), 'server', 'uvicorn'];
}

/** A FastAPI JSONResponse: compact JSON, not ASCII-escaped, lower-case header names. */
export function sendFastApi(res: http.ServerResponse, status: number, body: unknown, extra: string[] = []): void {
  const text = pyJsonDumps(body, { separators: [',', ':'], ensureAscii: false });
  sendUvicorn(res, status, text, 'application/json', extra);
  res.end(res.req.method === 'HEAD' ? undefined : text);
}

/** Starlette's PlainTextResponse (e.g. an unhandled exception's 500). */
export function sendFastApiText(res: http.ServerResponse, status: number, text: string): void {
  sendUvicorn(res, status, text, 'text/plain; charset=utf-8');
  res.end(text);
}

/** uvicorn's head: its own headers, then the body's length and type, as FastAPI and Starlette set them. */
function sendUvicorn(res: http.ServerResponse, status: number, text: string, contentType: string, extra: string[] = []): void {
  res.sendDate = false;
  res.writeHead(status, [...uvicornHeaders(), 'content-length', String(Buffer.byteLength(text)), 'content-type', contentType, ...extra]);
}

/** IMF-fixdate, as every server here writes its Date header. */
export function httpDate(at: number = Date.now()): string {
  return new Date(at).toUTCString();
}
