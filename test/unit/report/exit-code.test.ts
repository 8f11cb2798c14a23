import { describe, expect, it } from 'vitest';
import { exitCodeFor } from '../../../src/report/exit-code.js';
import type { StepStatus } from '../../../src/steps/types.js';
import { fixtureResults } from './fixture.js';

function withStatuses(...statuses: StepStatus[]) {
  const [result] = fixtureResults();
  result!.steps = result!.steps.map((s, i) => ({ ...s, status: statuses[i] ?? 'pass' }));
  return result!;
}

describe('exitCodeFor', () => {
  it('is 0 when every step passed, warnings and skipped steps included', () => {
    expect(exitCodeFor([withStatuses('pass', 'warn', 'skipped', 'pass')], false)).toBe(0);
  });

  it('is 1 when any step failed, even next to errors', () => {
    expect(exitCodeFor(fixtureResults(), false)).toBe(1);
    expect(exitCodeFor([withStatuses('pass', 'error'), withStatuses('pass', 'pass', 'fail', 'blocked')], false)).toBe(1);
  });

  it('is 3 when nothing failed but something could not be measured', () => {
    expect(exitCodeFor([withStatuses('error', 'error', 'blocked', 'blocked'), withStatuses()], false)).toBe(3);
  });

  it('is 130 when interrupted, whatever the steps say', () => {
    expect(exitCodeFor(fixtureResults(), true)).toBe(130);
    const r = withStatuses('fail');
    r.interrupted = true;
    expect(exitCodeFor([r], false)).toBe(130);
  });
});
