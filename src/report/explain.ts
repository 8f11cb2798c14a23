// `hokus-check explain CODE` and `hokus-check explain --list`: a rule's docs as plain text (the
// caller colours nothing and adds nothing).
import { METAS, metaFor } from '../diagnosis/catalogue.js';
import { wrap } from './columns.js';

/**
 * ROUTE_ARTIFACTS_MISROUTED — Proxy misroutes artifact requests
 * family: routing, severity: error
 *
 * What it means
 *   …
 */
export function explainCode(code: string): string | undefined {
  const meta = metaFor(code.trim().toUpperCase());
  if (!meta) return undefined;
  const section = (heading: string, text: string) => [heading, ...wrap(text, 80, 2)].join('\n');
  return [
    `${meta.code} — ${meta.title}`,
    `family: ${meta.family}, severity: ${meta.severity}`,
    '',
    section('What it means', meta.docs.means),
    '',
    section('How it is detected', meta.docs.detect),
    '',
    section('How to fix', meta.docs.fix),
    '',
    section('How to confirm the fix', meta.docs.confirm),
    '',
  ].join('\n');
}

/** One line per code: code and title, aligned. */
export function listCodes(): string {
  const width = Math.max(...METAS.map((m) => m.code.length));
  return `${METAS.map((m) => `${m.code.padEnd(width)}  ${m.title}`).join('\n')}\n`;
}

/** The catalogue as a Markdown table, for the README (kept in step by `npm run docs` and a test). */
export function catalogueMarkdown(): string {
  const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\s+/g, ' ').trim();
  const rows = METAS.map((m) => `| \`${m.code}\` | ${m.family} | ${cell(m.title)} | ${cell(m.docs.detect)} |`);
  return ['| code | family | title | detected from |', '|---|---|---|---|', ...rows].join('\n') + '\n';
}
