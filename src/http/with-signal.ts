// A view of an Http whose requests use another abort signal: cleanup keeps its own 10 s budget
// after the check's signal fired (Ctrl-C, deadline) while its exchanges stay in the same record.
import type { Http } from './types.js';

export function withSignal(http: Http, signal: AbortSignal): Http {
  return {
    send: (spec) => http.send({ ...spec, signal }),
    exchanges: () => http.exchanges(),
    redact: (text) => http.redact(text),
    close: () => http.close(),
  };
}
