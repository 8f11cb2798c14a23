// W3C Trace Context (https://www.w3.org/TR/trace-context/, "traceparent Header"): every request of a
// check carries `traceparent: 00-<trace-id>-<parent-id>-01` — version 00, one random 16-byte trace id
// for the whole check of a target (src/commands/http-settings.ts makes it, src/http/client.ts sends
// it), a fresh random 8-byte span id per try, and the sampled flag, so a tracer in front of or behind
// the target records the request and its logs can be searched for the trace id. Sample:
//   traceparent: 00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01
// The header is not secret: it is recorded with the request's other headers.
import { randomBytes } from 'node:crypto';

/** A new trace id: 32 lower-case hex digits, never all zeros (the spec's invalid value). */
export function newTraceId(random: (size: number) => Buffer = randomBytes): string {
  return nonZeroHex(16, random);
}

/** A new span (parent) id: 16 lower-case hex digits, never all zeros. */
export function newSpanId(random: (size: number) => Buffer = randomBytes): string {
  return nonZeroHex(8, random);
}

/** The header's value: version 00, the trace id, this try's span id, sampled. */
export function traceparent(traceId: string, spanId: string): string {
  return `00-${traceId}-${spanId}-01`;
}

/** A trace id as the spec writes one: 32 lower-case hex digits, not all zeros. */
export function isTraceId(value: string): boolean {
  return /^[0-9a-f]{32}$/.test(value) && !/^0+$/.test(value);
}

function nonZeroHex(bytes: number, random: (size: number) => Buffer): string {
  for (;;) {
    const hex = random(bytes).toString('hex');
    if (!/^0+$/.test(hex)) return hex;
  }
}
