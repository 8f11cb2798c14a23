import { describe, expect, it } from 'vitest';
import type { Exchange } from '../../../src/http/types.js';
import { settleUnanswered } from '../../../src/steps/unanswered.js';
import type { StepResult, StepStatus } from '../../../src/steps/types.js';

const step = (id: StepResult['id'], status: StepStatus): StepResult => ({
  id,
  status,
  durationMs: 1,
  detail: '',
  notes: [],
  rootCause: false,
  exchangeIds: [],
});
const timings = { blocked: -1, dns: -1, connect: -1, ssl: -1, send: -1, wait: -1, receive: -1, total: 1 };
const answered = (s: string): Exchange => ({
  id: 'x1',
  step: s,
  label: 'l',
  attempt: 1,
  startedAt: '',
  request: { method: 'GET', url: 'http://h/', headers: [] },
  response: { status: 200, headers: [], bodyExcerpt: '', bodySize: 0, truncated: false },
  timings,
});
const failed = (s: string, kind: NonNullable<Exchange['error']>['kind'], code?: string): Exchange => ({
  id: 'x2',
  step: s,
  label: 'l',
  attempt: 1,
  startedAt: '',
  request: { method: 'GET', url: 'http://h/', headers: [] },
  error: { kind, message: 'm', ...(code ? { code } : {}) },
  timings,
});

describe('settleUnanswered', () => {
  it('makes a timed-out step a failure once anything of the target answered', () => {
    const steps = [step('health', 'pass'), step('run', 'error'), step('artifact', 'error')];
    settleUnanswered(steps, [answered('health'), failed('run', 'timeout')]);
    // artifact sent nothing (not run): it stays unmeasured.
    expect(steps.map((s) => s.status)).toEqual(['pass', 'fail', 'error']);
  });

  it('leaves everything `error` when nothing answered, and a Ctrl-C cut step `error`', () => {
    const none = [step('auth', 'error'), step('health', 'error')];
    settleUnanswered(none, [failed('auth', 'refused'), failed('health', 'refused')]);
    expect(none.map((s) => s.status)).toEqual(['error', 'error']);
    const interrupted = [step('health', 'pass'), step('run', 'error')];
    settleUnanswered(interrupted, [answered('health'), failed('run', 'aborted', 'HOKUS_INTERRUPTED')]);
    expect(interrupted[1]!.status).toBe('error');
  });
});
