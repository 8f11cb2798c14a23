// HAR-style phase timings for each try. undici publishes request milestones on diagnostics
// channels (global, so each message is matched to its try through the Request object it carries);
// connection phases come from our connector, which marks DNS, TCP and TLS on every new socket.
// A try on a reused keep-alive socket has dns/connect/ssl = -1, as in HAR.
import diagnosticsChannel from 'node:diagnostics_channel';
import { Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import type { buildConnector } from 'undici';
import type { Timings } from './types.js';

/** Milestones of one try (performance.now() values). */
export class TryTrace {
  readonly start = performance.now();
  created?: number;
  /** The connection this try opened, when it did not reuse one. */
  socket?: SocketMarks;
  /** The connection the request went out on, new or reused (for the TLS alert it got: tls-alerts.ts). */
  connection?: object;
  headersSent?: number;
  /** The request head undici wrote (request line and headers, without content-length). */
  requestHead?: string;
  bodySent?: number;
  bytesSent = 0;
  responseStart?: number;
  end?: number;

  /** Marks the end of the try (body read, or failure). */
  finish(): void {
    this.end ??= performance.now();
  }

  timings(): Timings {
    const end = this.end ?? performance.now();
    const s = this.socket;
    const connectEnd = s?.secured ?? s?.connected;
    const sendStart = this.headersSent;
    const waitStart = this.bodySent ?? this.headersSent;
    return {
      blocked: sendStart === undefined ? -1 : span(this.created ?? this.start, s ? s.start : sendStart),
      dns: s?.lookup === undefined ? -1 : span(s.start, s.lookup),
      connect: s === undefined || connectEnd === undefined ? -1 : span(s.lookup ?? s.start, connectEnd),
      ssl: s?.secured === undefined || s.connected === undefined ? -1 : span(s.connected, s.secured),
      send: sendStart === undefined || this.bodySent === undefined ? -1 : span(sendStart, this.bodySent),
      wait: waitStart === undefined || this.responseStart === undefined ? -1 : span(waitStart, this.responseStart),
      receive: this.responseStart === undefined || this.end === undefined ? -1 : span(this.responseStart, this.end),
      total: span(this.start, end),
    };
  }
}

interface SocketMarks {
  start: number;
  lookup?: number;
  connected?: number;
  secured?: number;
  /** A request has already been sent on it: later ones reuse it. */
  used: boolean;
}

/**
 * Runs undici's dispatch for `trace`. undici creates its Request synchronously inside dispatch, so
 * the `undici:request:create` message published meanwhile belongs to this try.
 */
export function traceDispatch<T>(trace: TryTrace, dispatch: () => T): T {
  subscribeOnce();
  pending = trace;
  try {
    return dispatch();
  } finally {
    pending = undefined;
  }
}

/** Wraps an undici connector so that each new socket records its DNS, TCP and TLS milestones. */
export function timedConnector(connector: buildConnector.connector): buildConnector.connector {
  const connect: (o: buildConnector.Options, cb: buildConnector.Callback) => unknown = connector;
  return (options, callback) => {
    const marks: SocketMarks = { start: performance.now(), used: false };
    const socket = connect(options, (...args) => {
      const [err, sock] = args;
      if (!err && sock) {
        // Listeners below run after undici's own, which called us: fill in what they missed.
        marks.connected ??= performance.now();
        if ('encrypted' in sock) marks.secured ??= performance.now();
        sockets.set(sock, marks);
      }
      callback(...args);
    });
    // buildConnector returns the socket; the proxy agent's connector returns a promise.
    if (socket instanceof Socket) {
      sockets.set(socket, marks);
      socket.once('lookup', () => (marks.lookup ??= performance.now()));
      socket.once('connect', () => (marks.connected ??= performance.now()));
      socket.once('secureConnect', () => (marks.secured ??= performance.now()));
    }
  };
}

const requests = new WeakMap<object, TryTrace>();
const sockets = new WeakMap<object, SocketMarks>();
let pending: TryTrace | undefined;
let subscribed = false;

function subscribeOnce(): void {
  if (subscribed) return;
  subscribed = true;
  diagnosticsChannel.subscribe('undici:request:create', (message) => {
    if (!pending) return;
    const { request } = message as { request: object };
    requests.set(request, pending);
    pending.created = performance.now();
    pending = undefined;
  });
  diagnosticsChannel.subscribe('undici:client:sendHeaders', (message) => {
    const { request, headers, socket } = message as { request: object; headers: string; socket: object };
    const trace = requests.get(request);
    if (!trace) return;
    trace.headersSent = performance.now();
    trace.requestHead = headers;
    trace.connection = socket;
    const marks = sockets.get(socket);
    if (marks && !marks.used) {
      marks.used = true;
      trace.socket = marks;
    }
  });
  diagnosticsChannel.subscribe('undici:request:bodyChunkSent', (message) => {
    const { request, chunk } = message as { request: object; chunk: { length: number } };
    const trace = requests.get(request);
    if (trace) trace.bytesSent += chunk.length;
  });
  diagnosticsChannel.subscribe('undici:request:bodySent', (message) => {
    const trace = requests.get((message as { request: object }).request);
    if (trace) trace.bodySent = performance.now();
  });
  diagnosticsChannel.subscribe('undici:request:headers', (message) => {
    const trace = requests.get((message as { request: object }).request);
    if (trace) trace.responseStart ??= performance.now();
  });
}

/** Milliseconds from a to b, never negative, to the microsecond. */
function span(a: number, b: number): number {
  return Math.round(Math.max(0, b - a) * 1000) / 1000;
}
