// `hokus-check schema`: the JSON Schema of report v1, from the zod schema itself.
import { EXIT } from '../exit-codes.js';
import type { Factory } from '../factory.js';
import { reportJsonSchema } from '../report/schema.js';

export function schemaCommand({ io }: Pick<Factory, 'io'>): number {
  io.out(`${JSON.stringify(reportJsonSchema(), null, 2)}\n`);
  return EXIT.ok;
}
