// `hokus-check explain [CODE]`: a diagnosis code's docs, or the list of codes.
import { catalogueMarkdown, explainCode, listCodes } from '../diagnosis/explain.js';
import { EXIT } from '../exit-codes.js';
import type { Factory } from '../factory.js';

export async function explainCommand(code: string | undefined, opts: { markdown?: boolean }, { io }: Pick<Factory, 'io'>): Promise<number> {
  if (!code && opts.markdown) {
    io.out(catalogueMarkdown());
    return EXIT.ok;
  }
  if (!code) {
    io.out(listCodes().replace(/\n?$/, '\n'));
    return EXIT.ok;
  }
  const text = explainCode(code.toUpperCase());
  if (!text) {
    io.err(`hokus-check: unknown code "${code}" (hokus-check explain lists them)\n`);
    return EXIT.usage;
  }
  io.out(text.replace(/\n?$/, '\n'));
  return EXIT.ok;
}
