// The probe's budget from X-Prometheus-Scrape-Timeout-Seconds (src/exporter/budget.ts).
import { describe, expect, it } from 'vitest';
import { probeBudget } from '../../../src/exporter/budget.js';

describe('probeBudget', () => {
  it.each([
    // header, deadline, offset → steps, total
    ['10', 120_000, undefined, 5_700, 9_500],
    ['1', 120_000, undefined, 540, 900],
    ['60', 120_000, undefined, 49_500, 59_500],
    ['119.5', 120_000, undefined, 109_000, 119_000],
    ['300', 120_000, undefined, 110_000, 120_000],
    ['10', 120_000, 2_000, 4_800, 8_000],
    ['2', 120_000, 5_000, 600, 1_000],
  ] as const)('scrape timeout %ss, deadline %dms, offset %s → steps %dms, total %dms', (header, deadline, offset, steps, total) => {
    expect(probeBudget(header, deadline, offset)).toEqual({ stepsMs: steps, totalMs: total });
  });

  it.each([undefined, '', 'soon', '-3', '0', 'Infinity'])('no usable header (%j): the deadline alone', (header) => {
    expect(probeBudget(header, 20_000)).toEqual({ stepsMs: 12_000, totalMs: 20_000 });
  });
});
