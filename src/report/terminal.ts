// Terminal report: the matrix (rows = steps, columns = targets), then one block per finding (root
// cause first), a summary line and leftovers. Plain text with optional chalk colours; fits the
// given width (default 100 columns). Sample:
//   artifact      ✖ fail  404ms   404 on PUT artifact                    ← root cause
//   Root cause: ROUTE_ARTIFACTS_MISROUTED — Artifact requests are routed to the wrong upstream
//   7 steps: 5 passed, 1 failed, 1 blocked — exit 1
import { Chalk } from 'chalk';
import type { ChalkInstance } from 'chalk';
import { STEP_IDS } from '../steps/types.js';
import type { StepId } from '../steps/types.js';
import type { Report, ReportExchange, ReportFinding, ReportStep, ReportTarget } from './schema.js';
import { EXCERPT_MAX, chainText, cut, exchangeIndex, excerptOf, formatDuration, outcomeOf, shortenUrl } from './exchange-text.js';
import { STATUS_SYMBOL } from './status-symbols.js';

export interface TerminalStyle {
  color: boolean;
  /** Columns to fit (default 100). */
  width?: number;
  /** chalk colour level when `color` is on: 1 = 16 colours (default), 2 = 256, 3 = truecolor. */
  level?: 1 | 2 | 3;
}

export function renderTerminal(report: Report, style: TerminalStyle): string {
  const width = Math.max(60, style.width ?? 100);
  const c = new Chalk({ level: style.color ? (style.level ?? 1) : 0 });
  const out: string[] = [...headerLines(report, width, c)];
  out.push('', ...matrixLines(report, width, c));
  out.push(...notesLines(report, width, c));
  out.push(...findingsLines(report, width, c));
  out.push('', ...summaryLines(report, c));
  out.push(...leftoverLines(report, width, c));
  return `${out.join('\n')}\n`;
}

type Paint = (s: string) => string;


function statusPaint(status: ReportStep['status'], c: ChalkInstance): Paint {
  switch (status) {
    case 'pass':
      return c.green;
    case 'fail':
      return c.red.bold;
    case 'error':
      return c.magenta.bold;
    case 'warn':
      return c.yellow;
    case 'blocked':
    case 'skipped':
      return c.gray;
  }
}

function headerLines(report: Report, width: number, c: ChalkInstance): string[] {
  const tool = `hokus-check ${report.tool.version}`;
  const lines: string[] = [];
  const [only] = report.targets;
  if (report.targets.length === 1 && only !== undefined) {
    lines.push(...joinWrapped([tool, ...targetFacts(only, true)], width));
  } else {
    const shared = report.checkId === undefined ? [] : [`check ${report.checkId}`];
    lines.push(...joinWrapped([tool, `${report.targets.length} targets`, ...shared], width));
    const nameWidth = Math.max(...report.targets.map((t) => t.name.length));
    for (const t of report.targets) {
      const facts = targetFacts(t, report.checkId === undefined).slice(1);
      const first = `  ${t.name.padEnd(nameWidth)}  ${primaryUrl(t) ?? ''}`.trimEnd();
      lines.push(...joinWrapped([first, ...facts], width, 4));
    }
  }
  lines[0] = (lines[0] ?? '').replace(/^hokus-check/, c.bold('hokus-check'));
  if (report.insecure) lines.push(c.yellow('! TLS certificates were not verified (--insecure)'));
  return lines;
}

function targetFacts(t: ReportTarget, withCheckId: boolean): string[] {
  const url = primaryUrl(t);
  return [
    url === undefined ? t.name : `${t.name} ${url}`,
    ...(withCheckId ? [`check ${t.checkId}`] : []),
    ...(t.key === undefined ? [] : [`key ${t.key}`]),
  ];
}

function primaryUrl(t: ReportTarget): string | undefined {
  return t.registryUrl ?? t.mlflowUrl;
}

// ── matrix ──────────────────────────────────────────────────────────────────────────────────────

interface Cell {
  plain: string;
  styled: string;
}

function matrixLines(report: Report, width: number, c: ChalkInstance): string[] {
  const targets = report.targets;
  const rows: StepId[] = STEP_IDS.filter((id) => targets.some((t) => t.steps.some((s) => s.id === id)));
  const stepCol = Math.max(4, ...rows.map((r) => r.length));
  const cells = targets.map((t) => rows.map((id) => cellFor(t.steps.find((s) => s.id === id), c)));
  const colWidths = targets.map((t, i) => Math.max(t.name.length, ...(cells[i] ?? []).map((x) => len(x.plain))));
  const single = targets.length === 1;
  const gap = '   ';

  const head = [`  ${'step'.padEnd(stepCol)}`, ...targets.map((t, i) => t.name.padEnd(colWidths[i] ?? 0))];
  if (single) head.push('detail');
  const lines = [c.dim(head.join(gap).trimEnd())];

  rows.forEach((id, r) => {
    let line = `  ${id.padEnd(stepCol)}`;
    let used = 2 + stepCol;
    targets.forEach((_t, i) => {
      const cell = cells[i]?.[r] ?? { plain: '', styled: '' };
      const w = colWidths[i] ?? 0;
      line += gap + cell.styled + ' '.repeat(Math.max(0, w - len(cell.plain)));
      used += gap.length + w;
    });
    const rootIn = targets.filter((t) => t.steps.some((s) => s.id === id && s.rootCause)).map((t) => t.name);
    const marker = rootIn.length === 0 ? '' : single ? '← root cause' : `← root cause (${rootIn.join(', ')})`;
    if (single) {
      const step = targets[0]?.steps.find((s) => s.id === id);
      const room = width - used - gap.length - (marker === '' ? 0 : marker.length + 2);
      const detail = step === undefined ? '' : cut(step.detail, Math.max(0, room));
      line += gap + detail;
      if (marker !== '') line += `${' '.repeat(Math.max(0, room - len(detail)))}  ${c.red.bold(marker)}`;
    } else if (marker !== '') {
      line += `${gap}${c.red.bold(marker)}`;
    }
    lines.push(line.trimEnd());
  });
  return lines;
}

function cellFor(step: ReportStep | undefined, c: ChalkInstance): Cell {
  if (step === undefined) return { plain: '–', styled: c.gray('–') };
  const paint = statusPaint(step.status, c);
  const word = `${STATUS_SYMBOL[step.status]} ${step.status}`;
  if (step.status === 'blocked') {
    const by = step.blockedBy ? ` (by ${step.blockedBy})` : '';
    return { plain: word + by, styled: paint(word) + c.gray(by) };
  }
  if (step.status === 'skipped') return { plain: word, styled: paint(word) };
  const time = formatDuration(step.durationMs).padStart(6);
  const padded = word.padEnd(7);
  return { plain: padded + time, styled: paint(word) + ' '.repeat(padded.length - word.length) + c.dim(time) };
}

function notesLines(report: Report, width: number, c: ChalkInstance): string[] {
  const multi = report.targets.length > 1;
  const lines: string[] = [];
  for (const t of report.targets) {
    for (const s of t.steps) {
      for (const note of s.notes) {
        const where = multi ? `${t.name} ${s.id}` : s.id;
        lines.push(...wrap(`note: ${where}: ${note}`, width, 2, 4).map((l) => c.dim(l)));
      }
    }
  }
  return lines.length === 0 ? [] : ['', ...lines];
}

// ── findings ────────────────────────────────────────────────────────────────────────────────────

function findingsLines(report: Report, width: number, c: ChalkInstance): string[] {
  const multi = report.targets.length > 1;
  const lines: string[] = [];
  for (const t of report.targets) {
    for (const f of t.findings) lines.push('', ...findingBlock(f, t, multi, width, c));
  }
  return lines;
}

function findingBlock(f: ReportFinding, t: ReportTarget, multi: boolean, width: number, c: ChalkInstance): string[] {
  const where = multi ? `[${t.name}] ` : '';
  const kind = f.rootCause ? 'Root cause' : f.severity === 'error' ? 'Finding' : 'Warning';
  const paint = f.rootCause ? c.red.bold : f.severity === 'error' ? c.red : c.yellow;
  const lines = wrap(`${where}${kind}: ${f.code} — ${f.title}`, width, 0, 2).map((l) => paint(l));

  const related = f.related.length > 0 ? ` · related: ${f.related.join(', ')}` : '';
  lines.push(...wrap(`Step: ${f.step}${related}`, width, 2, 4));
  lines.push(...labelled('Cause: ', f.cause, width));

  const byId = exchangeIndex(t.exchanges);
  if (f.evidence.length > 0) {
    lines.push('  Evidence:');
    const idWidth = Math.max(...f.evidence.map((id) => id.length));
    for (const id of f.evidence) lines.push(...evidenceLines(id, byId.get(id), idWidth, width, c));
  }
  if (f.fix.length > 0) {
    lines.push('  Fix:');
    f.fix.forEach((step, i) => {
      const num = `${i + 1}. `;
      const body = wrap(step, width - 4 - num.length, 0, 0);
      body.forEach((l, j) => lines.push(`    ${j === 0 ? num : ' '.repeat(num.length)}${l}`));
    });
  }
  lines.push(c.dim(`  Run \`hokus-check explain ${f.code}\` for details.`));
  return lines;
}

/**
 * One exchange as evidence: `x8 PUT <url>`, then `→ 404 text/html (hokusai-api → mlflow)` and the
 * body excerpt (or the transport error's message), on the same line when it fits.
 */
function evidenceLines(id: string, x: ReportExchange | undefined, idWidth: number, width: number, c: ChalkInstance): string[] {
  const lead = `    ${id.padEnd(idWidth)} `;
  if (x === undefined) return [`${c.dim(lead)}(not recorded)`];
  const indent = ' '.repeat(lead.length);
  const method = `${x.request.method} `;
  const lines = [c.dim(lead) + method + shortenUrl(x.request.url, width - lead.length - method.length)];
  const chain = chainText(x);
  const outcome = `→ ${outcomeOf(x)}${chain === undefined ? '' : ` (${chain})`}`;
  const failed = x.response === undefined;
  const paintOutcome = failed || (x.response?.status ?? 0) >= 400 ? c.red : c.green;
  const excerpt = excerptOf(x, Math.min(EXCERPT_MAX, width - lead.length - 2));
  const quote = (e: string): string => (failed ? e : `"${e}"`);
  if (excerpt !== undefined && len(`${outcome} ${quote(excerpt)}`) <= width - lead.length) {
    lines.push(`${indent}${paintOutcome(outcome)} ${c.dim(quote(excerpt))}`);
  } else {
    lines.push(indent + paintOutcome(outcome));
    if (excerpt !== undefined) lines.push(indent + c.dim(quote(excerpt)));
  }
  return lines;
}

function labelled(label: string, text: string, width: number): string[] {
  const indent = 2 + label.length;
  const body = wrap(text, width - indent, 0, 0);
  return body.map((l, i) => (i === 0 ? `  ${label}${l}` : `${' '.repeat(indent)}${l}`));
}

// ── summary and leftovers ───────────────────────────────────────────────────────────────────────

const COUNT_WORDS: Array<[ReportStep['status'], string]> = [
  ['pass', 'passed'],
  ['warn', 'warned'],
  ['fail', 'failed'],
  ['error', 'errored'],
  ['blocked', 'blocked'],
  ['skipped', 'skipped'],
];

function summaryLines(report: Report, c: ChalkInstance): string[] {
  const exit = report.verdict === 'interrupted' ? `interrupted, exit ${report.exitCode}` : `exit ${report.exitCode}`;
  const paint = verdictPaint(report.verdict, c);
  const [only] = report.targets;
  if (report.targets.length === 1 && only !== undefined) return [paint(`${stepCounts(only)} — ${exit}`)];
  const nameWidth = Math.max(...report.targets.map((t) => t.name.length));
  return [
    ...report.targets.map((t) => `${`${t.name}:`.padEnd(nameWidth + 1)} ${stepCounts(t)}`),
    paint(`verdict ${report.verdict} — ${exit}`),
  ];
}

function stepCounts(t: ReportTarget): string {
  const parts = COUNT_WORDS.map(([status, word]) => [t.steps.filter((s) => s.status === status).length, word] as const)
    .filter(([n]) => n > 0)
    .map(([n, word]) => `${n} ${word}`);
  const steps = `${t.steps.length} step${t.steps.length === 1 ? '' : 's'}`;
  return parts.length === 0 ? steps : `${steps}: ${parts.join(', ')}`;
}

function verdictPaint(verdict: Report['verdict'], c: ChalkInstance): Paint {
  if (verdict === 'pass') return c.green.bold;
  if (verdict === 'warn' || verdict === 'interrupted') return c.yellow.bold;
  return c.red.bold;
}

function leftoverLines(report: Report, width: number, c: ChalkInstance): string[] {
  const lines: string[] = [];
  for (const t of report.targets) {
    if (t.leftovers.length === 0) continue;
    lines.push('', c.yellow(`Left behind on ${t.name}:`));
    for (const l of t.leftovers) lines.push(...wrap(`- ${l}`, width, 2, 4));
  }
  return lines;
}

// ── text layout ─────────────────────────────────────────────────────────────────────────────────

/** Word-wraps text to `width` columns; the first line is indented by `first`, the rest by `rest`. */
function wrap(text: string, width: number, first: number, rest: number): string[] {
  const lines: string[] = [];
  let indent = first;
  let line = '';
  const flush = (): void => {
    lines.push(' '.repeat(indent) + line);
    line = '';
    indent = rest;
  };
  for (let word of text.split(/\s+/).filter((w) => w !== '')) {
    for (;;) {
      const room = Math.max(1, width - indent);
      const candidate = line === '' ? word : `${line} ${word}`;
      if (len(candidate) <= room) {
        line = candidate;
        break;
      }
      if (line !== '') {
        flush();
        continue;
      }
      // A single word longer than the line: hard-split it.
      const chars = [...word];
      line = chars.slice(0, room).join('');
      word = chars.slice(room).join('');
      flush();
      if (word === '') break;
    }
  }
  if (line !== '' || lines.length === 0) flush();
  return lines;
}

/** Joins facts with ' · ', starting a new (indented) line when the next one would not fit. */
function joinWrapped(parts: readonly string[], width: number, indent = 2): string[] {
  const lines: string[] = [];
  let line = '';
  for (const part of parts) {
    const candidate = line === '' ? part : `${line} · ${part}`;
    if (line !== '' && len(candidate) > width) {
      lines.push(line);
      line = ' '.repeat(indent) + part;
    } else {
      line = candidate;
    }
  }
  if (line !== '') lines.push(line);
  return lines;
}

/** Display length in code points (every symbol used here is one column wide). */
function len(s: string): number {
  return [...s].length;
}
