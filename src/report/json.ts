// `--json`: the report v1 object itself (schema.ts; `hokus-check schema` prints its JSON Schema),
// pretty-printed with two spaces and a trailing newline. Sample:
//   {
//     "schemaVersion": 1,
//     "tool": { "name": "hokus-check", "version": "0.1.0" }, …
import type { Report } from './schema.js';

export function renderJson(report: Report): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}
