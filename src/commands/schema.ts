// `hokus-check schema`: the JSON Schema of report v1, from the zod schema itself.
import type { Io } from '../io.js';
import { reportJsonSchema } from '../report/schema.js';

export function schemaCommand(io: Io): void {
  io.out(`${JSON.stringify(reportJsonSchema(), null, 2)}\n`);
}
