// `hokus-check explain [CODE]`: a diagnosis code's docs, or the list of codes.
import { catalogueMarkdown, explainCode, listCodes } from '../report/explain.js';
import { closest } from '../config/suggest.js';
import { METAS } from '../diagnosis/catalogue.js';
import { EXIT } from '../exit-codes.js';
import { inertLine } from '../http/inert.js';
import type { Factory } from '../factory.js';

export function explainCommand(code: string | undefined, opts: { markdown?: boolean }, { io }: Pick<Factory, 'io'>): number {
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
    const hint = closest(
      code.toUpperCase(),
      METAS.map((m) => m.code),
      4,
    );
    io.err(`hokus-check: unknown code "${inertLine(code)}"${hint ? `; did you mean ${hint}?` : ''} (hokus-check explain lists them)\n`);
    return EXIT.usage;
  }
  io.out(text.replace(/\n?$/, '\n'));
  return EXIT.ok;
}
