// `hokus-check explain CODE` and `hokus-check explain --list`: a rule's docs as plain text (the
// caller colours nothing and adds nothing).
import { RULES, ruleFor } from './catalogue.js';

/**
 * ROUTE_ARTIFACTS_MISROUTED — Proxy misroutes artifact requests
 * family: routing, severity: error
 *
 * What it means
 *   …
 */
export function explainCode(code: string): string | undefined {
  const rule = ruleFor(code.trim().toUpperCase());
  if (!rule) return undefined;
  const { meta } = rule;
  const section = (heading: string, text: string) => [heading, ...wrap(text, 78).map((l) => `  ${l}`)].join('\n');
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
  const width = Math.max(...RULES.map((r) => r.meta.code.length));
  return `${RULES.map((r) => `${r.meta.code.padEnd(width)}  ${r.meta.title}`).join('\n')}\n`;
}

/** Greedy word wrap; a word longer than the width gets a line of its own. */
function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(line);
  return lines;
}

/** The catalogue as a Markdown table, for the README (kept in step by `npm run docs` and a test). */
export function catalogueMarkdown(): string {
  const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\s+/g, ' ').trim();
  const rows = RULES.map((r) => `| \`${r.meta.code}\` | ${r.meta.family} | ${cell(r.meta.title)} | ${cell(r.meta.docs.detect)} |`);
  return ['| code | family | title | detected from |', '|---|---|---|---|', ...rows].join('\n') + '\n';
}
