// Reads a --json report back and validates it against the zod schema, as a consumer would.
import { readFileSync } from 'node:fs';
import { ReportSchema, type Report } from '../../src/report/schema.js';

export function parseReport(text: string): Report {
  return ReportSchema.parse(JSON.parse(text));
}

export function readReport(path: string): Report {
  return parseReport(readFileSync(path, 'utf8'));
}

export function stepOf(report: Report, id: string, target = 0) {
  const step = report.targets[target]?.steps.find((s) => s.id === id);
  if (!step) throw new Error(`no step ${id} in the report`);
  return step;
}
