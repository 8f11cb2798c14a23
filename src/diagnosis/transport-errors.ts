// Groups transport failures (no HTTP answer) by step and host, for the network and tls rule families.
import type { Exchange, NetErrorKind } from '../http/types.js';
import type { StepId } from '../steps/types.js';
import { exchangesWhere, hostOf, isFailure, isPassing, stepStatus } from './evidence-query.js';
import type { CheckExchange, Evidence } from './types.js';

export interface TransportFailure {
  step: StepId;
  host: string;
  /** The step's own tries that failed this way, in order. */
  exchanges: CheckExchange[];
  /** 'error' when the step failed or errored, 'warn' when it passed with a problem (cleanup). */
  severity: 'error' | 'warn';
}

/** The step's own requests (not probes) that failed with one of `kinds`, in steps that did not pass cleanly. */
export function transportFailures(ev: Evidence, kinds: readonly NetErrorKind[]): TransportFailure[] {
  const groups = new Map<string, TransportFailure>();
  for (const x of exchangesWhere(ev, { probe: false })) {
    // Also a failure after the headers (timeout or reset mid-body): the answer never completed.
    if (!x.error || (x.response && x.error.phase !== 'body') || !kinds.includes(x.error.kind)) continue;
    const step = x.step;
    const status = stepStatus(ev, step);
    // A try that failed and was retried into a pass is no finding.
    if (status === 'pass' || status === 'skipped' || status === 'blocked') continue;
    const host = hostOf(x.request.url);
    const key = `${step} ${host}`;
    const group = groups.get(key) ?? { step, host, exchanges: [], severity: isFailure(status) || !isPassing(status) ? 'error' : 'warn' };
    group.exchanges.push(x);
    groups.set(key, group);
  }
  return [...groups.values()];
}

/** 'validate, experiments/search' — the labels of the requests that failed, once each. */
export function labelsOf(xs: readonly Exchange[]): string {
  return [...new Set(xs.map((x) => x.label))].join(', ');
}

/** 'ECONNREFUSED' — the error codes of the failed tries, once each (their kind when none has a code). */
export function codeOf(xs: readonly Exchange[]): string {
  const codes = [...new Set(xs.map((x) => x.error?.code).filter((c): c is string => c !== undefined))];
  return codes.length > 0 ? codes.join(', ') : (xs[0]?.error?.kind ?? 'error');
}
