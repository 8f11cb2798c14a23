// A step's outcome when an MLflow call did not give what it needed: the call's reason for people, and
// a shape problem of a 2xx answer as data for the diagnosis (StepFailure 'schema').
import type { StepOutcome } from './types.js';

/** `{ status, detail: '<what>: <reason>' }` (the reason alone without `what`), with the schema problem when the answer had the wrong shape. */
export function callFailed(
  what: string | undefined,
  call: { kind: 'fail' | 'error'; reason: string; schema?: string },
  notes?: string[],
): StepOutcome {
  return {
    status: call.kind,
    detail: what === undefined ? call.reason : `${what}: ${call.reason}`,
    ...(notes ? { notes } : {}),
    ...(call.schema !== undefined ? { failure: { kind: 'schema', problem: call.schema } } : {}),
  };
}
