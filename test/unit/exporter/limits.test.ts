// Every exporter limit has one documented value (src/exporter/limits.ts): the README's "Run as a
// monitor" section and `hokus-check exporter --help` state each one word for word.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { describeLimits, EXPORTER_LIMITS, exporterLimitsHelp } from '../../../src/exporter/limits.js';
import { runInProcess } from '../../helpers/in-process.js';

const README = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');
const monitorSection = (() => {
  const start = README.indexOf('## Run as a monitor');
  const end = README.indexOf('\n## ', start + 1);
  return README.slice(start, end).replace(/\s+/g, ' ');
})();
const phrases = Object.entries(describeLimits()) as Array<[keyof typeof EXPORTER_LIMITS, string]>;

describe('the exporter limits', () => {
  it('has a documented phrase for every limit', () => {
    expect(phrases.map(([name]) => name).sort()).toEqual(Object.keys(EXPORTER_LIMITS).sort());
  });

  it.each(phrases)('the README states %s: "%s"', (_name, phrase) => {
    expect(monitorSection).toContain(phrase);
  });

  it.each(phrases)('the help text states %s: "%s"', (_name, phrase) => {
    expect(exporterLimitsHelp().replace(/\s+/g, ' ')).toContain(phrase);
  });

  it('the help text fits a terminal', () => {
    for (const line of exporterLimitsHelp().split('\n')) expect(line.length, line).toBeLessThanOrEqual(100);
  });

  // `--help` is commander's, in src/cli.ts, which adds exporterLimitsHelp() to the exporter command.
  it('hokus-check exporter --help lists them', async () => {
    const run = await runInProcess(['exporter', '--help']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(exporterLimitsHelp());
  });
});
