import { describe, expect, it } from 'vitest';
import { renderJson } from '../../../src/report/json.js';
import { ReportSchema } from '../../../src/report/schema.js';
import { RAW_KEY, fixtureReport } from './fixture.js';

describe('JSON report', () => {
  it('is the report object, two-space indented, ending in a newline', () => {
    const report = fixtureReport();
    const json = renderJson(report);
    expect(json.endsWith('}\n')).toBe(true);
    expect(json.split('\n')[1]).toBe('  "schemaVersion": 1,');
    expect(JSON.parse(json)).toEqual(report);
  });

  it('parses back with the schema, multi-valued headers and all', () => {
    const parsed = ReportSchema.parse(JSON.parse(renderJson(fixtureReport())));
    const put = parsed.targets[1]!.exchanges.find((x) => x.label === 'PUT artifact')!;
    expect(put.response!.headers.filter(([n]) => n === 'server')).toEqual([
      ['server', 'uvicorn'],
      ['server', 'gunicorn'],
    ]);
    expect(put.chain).toEqual(['hokusai-api', 'mlflow']);
    expect(parsed.targets[1]!.exchanges[1]!.error).toEqual({
      kind: 'reset',
      code: 'ECONNRESET',
      message: 'read ECONNRESET\nsocket hang up',
      phase: 'headers',
    });
  });

  it('never carries the raw key', () => {
    expect(renderJson(fixtureReport())).not.toContain(RAW_KEY);
  });
});
