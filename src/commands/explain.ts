// `hokus-check explain [CODE]`: a diagnosis code's docs, or the list of codes.
import { EXIT } from '../exit-codes.js';
import { catalogueMarkdown, explainCode, listCodes } from '../diagnosis/explain.js';
import type { Io } from '../io.js';

export function explainCommand(code: string | undefined, io: Io, opts: { markdown?: boolean } = {}): void {
  if (!code && opts.markdown) {
    io.out(catalogueMarkdown());
    return;
  }
  if (!code) {
    io.out(listCodes().replace(/\n?$/, '\n'));
    return;
  }
  const text = explainCode(code.toUpperCase());
  if (!text) {
    io.err(`hokus-check: unknown code "${code}" (hokus-check explain lists them)\n`);
    io.exit(EXIT.usage);
  }
  io.out(text.replace(/\n?$/, '\n'));
}
