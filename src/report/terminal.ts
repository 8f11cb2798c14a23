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
import {
  EXCERPT_MAX,
  chainText,
  exchangeIndex,
  excerptOf,
  formatDuration,
  outcomeOf,
  requestIdsText,
  shortenUrl,
} from './exchange-text.js';
import { originOf } from '../diagnosis/fingerprint.js';
import { shellTokens } from './repro.js';
import { targetTitle } from './target-title.js';
import { STATUS_SYMBOL } from './status-symbols.js';
import { columns, cut, padColumns, wrap } from './columns.js';

export interface TerminalStyle {
  color: boolean;
  /** Columns to fit (default 100). */
  width?: number;
  /** chalk colour level when `color` is on: 1 = 16 colours (default), 2 = 256, 3 = truecolor. */
  level?: 1 | 2 | 3;
  /** --quiet: the root cause and the summary line only. */
  quiet?: boolean;
}

export function renderTerminal(report: Report, style: TerminalStyle): string {
  const width = Math.max(60, style.width ?? 100);
  const c = new Chalk({ level: style.color ? (style.level ?? 1) : 0 });
  if (style.quiet) return `${[...rootLines(report, width, c), ...summaryLines(report, width, c)].join('\n')}\n`;
  const out: string[] = [...headerLines(report, width, c)];
  out.push('', ...matrixLines(report, width, c));
  out.push(...notesLines(report, width, c));
  out.push(...findingsLines(report, width, c));
  out.push('', ...summaryLines(report, width, c));
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
    const nameWidth = Math.max(...report.targets.map((t) => columns(t.name)));
    for (const t of report.targets) {
      const facts = targetFacts(t, report.checkId === undefined).slice(1);
      const first = `  ${padColumns(t.name, nameWidth)}  ${primaryUrl(t) ?? ''}`.trimEnd();
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
    ...(t.traceId === undefined ? [] : [`trace ${t.traceId}`]),
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
  const cells = targets.map((t) =>
    rows.map((id) =>
      cellFor(
        t.steps.find((s) => s.id === id),
        c,
      ),
    ),
  );
  const colWidths = targets.map((_t, i) => Math.max(0, ...(cells[i] ?? []).map((x) => columns(x.plain))));
  const single = targets.length === 1;
  const gap = '   ';

  const titles = targets.map(targetTitle);
  titles.forEach((title, i) => (colWidths[i] = Math.max(colWidths[i] ?? 0, columns(title))));
  const head = [`  ${'step'.padEnd(stepCol)}`, ...titles.map((title, i) => title.padEnd(colWidths[i] ?? 0))];
  if (single) head.push('detail');
  const lines = [c.dim(head.join(gap).trimEnd())];

  rows.forEach((id, r) => {
    let line = `  ${id.padEnd(stepCol)}`;
    let used = 2 + stepCol;
    targets.forEach((_t, i) => {
      const cell = cells[i]?.[r] ?? { plain: '', styled: '' };
      const w = colWidths[i] ?? 0;
      line += gap + cell.styled + ' '.repeat(Math.max(0, w - columns(cell.plain)));
      used += gap.length + w;
    });
    const rootIn = targets.filter((t) => t.steps.some((s) => s.id === id && s.rootCause)).map((t) => t.name);
    const marker = rootIn.length === 0 ? '' : single ? '← root cause' : `← root cause (${rootIn.join(', ')})`;
    if (single) {
      const step = targets[0]?.steps.find((s) => s.id === id);
      const room = Math.min(width, MATRIX_MAX) - used - gap.length - (marker === '' ? 0 : marker.length + 2);
      const full = step === undefined || step.status === 'blocked' ? '' : step.detail;
      // Too narrow for the detail beside the cells: it goes on the next line, under them.
      const below = room < NARROW_DETAIL && full !== '';
      const detail = below ? '' : cut(full, Math.max(0, room));
      line += gap + detail;
      if (marker !== '') line += `${below ? '' : ' '.repeat(Math.max(0, room - columns(detail)))}  ${c.red.bold(marker)}`;
      if (below) {
        lines.push(line.trimEnd());
        line = `${' '.repeat(2 + stepCol + gap.length)}${c.dim(cut(full, width - 2 - stepCol - gap.length))}`;
      }
    } else if (marker !== '') {
      // Narrow: the shortest marker that fits (the root cause block below names the target).
      const fits = [marker, '← root cause', '←'].find((m) => used + gap.length + columns(m) <= width) ?? '←';
      line += `${gap}${c.red.bold(fits)}`;
    }
    lines.push(line.trimEnd());
  });
  return lines;
}

/** A wide terminal still gets a matrix this wide at most: the root-cause marker stays near its row's text. */
const MATRIX_MAX = 120;

/** Below this many columns, a step's detail gets a line of its own. */
const NARROW_DETAIL = 24;

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
        if (s.id === 'cleanup' && t.leftovers.some((l) => note.startsWith(`${l}:`))) continue;
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
  let cited = false;
  for (const t of report.targets) {
    const root = t.findings.find((f) => f.rootCause);
    const folded = root === undefined ? [] : t.findings.filter((f) => f !== root && isConsequence(f, root));
    for (const f of t.findings) {
      if (folded.includes(f)) continue;
      lines.push('', ...findingBlock(f, t, multi, width, c));
      cited ||= f.evidence.length > 0;
      if (f === root && folded.length > 0) {
        const seen = folded.map((x) => `${x.code} in ${x.step}${x.evidence.length > 0 ? ` (${x.evidence.join(', ')})` : ''}`);
        lines.push(...labelled('Also seen: ', `${seen.join('; ')} — the same problem.`, width).map((l) => c.dim(l)));
      }
    }
  }
  if (cited)
    lines.push(
      '',
      ...wrap('x1, x2 … number the requests in order: --verbose prints each as it happens, --har FILE saves them all.', width, 0, 0).map(
        (l) => c.dim(l),
      ),
    );
  return lines;
}

/** --quiet: each target's root-cause block, then a blank line. */
function rootLines(report: Report, width: number, c: ChalkInstance): string[] {
  const multi = report.targets.length > 1;
  return report.targets.flatMap((t) => t.findings.filter((f) => f.rootCause).flatMap((f) => [...findingBlock(f, t, multi, width, c), '']));
}

/**
 * A finding that restates the root cause: the same code on another step, or an error linked to it
 * both ways (AUTH_SERVICE_DOWN beside NET_REFUSED on the same refused auth service). Warnings keep
 * their own block: they add what the root cause does not say (AUTH_CACHE_MASKING, HEALTH_DEGRADED).
 */
function isConsequence(f: ReportFinding, root: ReportFinding): boolean {
  if (f.code === root.code) return true;
  return f.severity === 'error' && f.related.includes(root.code) && root.related.includes(f.code);
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
    const groups = groupTries(f.evidence, byId);
    // On a narrow terminal the target's own origin (in the header) gives way to the path.
    const narrow = width < 80;
    const idWidth = Math.max(...groups.map((g) => g.label.length));
    for (const g of groups)
      lines.push(...evidenceLines(g.label, byId.get(g.id), idWidth, width, c, g.tries, narrow ? originOf(primaryUrl(t)) : undefined));
  }

  if (f.fix.length > 0) {
    lines.push('  Fix:');
    f.fix.forEach((step, i) => {
      const num = `${i + 1}. `;
      const body = wrap(step, width - 4 - num.length, 0, 0);
      body.forEach((l, j) => lines.push(`    ${j === 0 ? num : ' '.repeat(num.length)}${l}`));
    });
  }
  if (f.repro !== undefined && f.repro.length > 0) {
    lines.push('  Reproduce:');
    for (const cmd of f.repro) lines.push(...commandLines(cmd, width, 4));
  }
  if (f.confirm !== undefined) lines.push('  Confirm the fix:', ...commandLines(f.confirm, width, 4));
  lines.push(...wrap(`Run \`hokus-check explain ${f.code}\` for details.`, width, 2, 4).map((l) => c.dim(l)));
  return lines;
}

/**
 * One exchange as evidence: `x8 PUT <url>`, then `→ 404 text/html (hokusai-api → mlflow)` and the
 * body excerpt (or the transport error's message), on the same line when it fits, then
 * `request ids: x-request-id 2f1e0c9a` when the answer carried any.
 */
function evidenceLines(
  id: string,
  x: ReportExchange | undefined,
  idWidth: number,
  width: number,
  c: ChalkInstance,
  tries: number,
  home: string | undefined,
): string[] {
  const lead = `    ${id.padEnd(idWidth)} `;
  if (x === undefined) return [`${c.dim(lead)}(not recorded)`];
  const indent = ' '.repeat(lead.length);
  const method = `${x.request.method} `;
  const lines = [c.dim(lead) + method + shortenUrl(homeRelative(x.request.url, home), width - lead.length - method.length)];
  const chain = chainText(x);
  // Fitted to the width like the URL above it: a redirect's Location is shortened first, so "(not
  // followed)" and who answered stay (--json has it whole).
  const outcomeWith = (locationMax?: number) =>
    `→ ${outcomeOf(x, locationMax)}${chain === undefined ? '' : ` (${chain})`}${tries > 1 ? `, ${tries} tries` : ''}`;
  const room = width - lead.length;
  const full = outcomeWith();
  const over = columns(full) - room;
  const locationLength = columns(full) - columns(outcomeWith(0));
  const outcome = cut(over > 0 && locationLength > 0 ? outcomeWith(Math.max(24, locationLength - over)) : full, room);
  const failed = x.response === undefined;
  const paintOutcome = failed || (x.response?.status ?? 0) >= 400 ? c.red : c.green;
  const excerpt = excerptOf(x, Math.min(EXCERPT_MAX, width - lead.length - 2));
  const quote = (e: string): string => (failed ? e : `"${e}"`);
  if (excerpt !== undefined && columns(`${outcome} ${quote(excerpt)}`) <= width - lead.length) {
    lines.push(`${indent}${paintOutcome(outcome)} ${c.dim(quote(excerpt))}`);
  } else {
    lines.push(indent + paintOutcome(outcome));
    if (excerpt !== undefined) lines.push(indent + c.dim(quote(excerpt)));
  }
  // What finds this request in the servers' logs (a finding's fix names whose logs).
  const ids = requestIdsText(x);
  if (ids !== undefined) lines.push(...wrap(`request ids: ${ids}`, width, lead.length, lead.length + 2).map((l) => c.dim(l)));
  return lines;
}

/** A URL on the target's own origin as its path; other URLs whole. */
function homeRelative(url: string, home: string | undefined): string {
  return home !== undefined && url.startsWith(`${home}/`) ? url.slice(home.length) : url;
}

/** Exchanges that are tries of one request with the same outcome share one evidence line. */
function groupTries(
  ids: readonly string[],
  byId: ReadonlyMap<string, ReportExchange>,
): Array<{ id: string; label: string; tries: number }> {
  const groups: Array<{ id: string; ids: string[]; sig: string }> = [];
  for (const id of ids) {
    const x = byId.get(id);
    const sig = x === undefined ? id : `${x.step} ${x.probe ?? ''} ${x.request.method} ${x.request.url} ${outcomeOf(x)}`;
    const same = groups.find((g) => g.sig === sig);
    if (same) same.ids.push(id);
    else groups.push({ id, ids: [id], sig });
  }
  // The last try is the one that counted: show it, label the line with every try's id.
  return groups.map((g) => ({ id: g.ids[g.ids.length - 1] ?? g.id, label: g.ids.join(','), tries: g.ids.length }));
}

/** Tokens, with each option that takes a value kept beside it (`-H 'A: b'` never splits). */
function commandUnits(cmd: string): string[] {
  const units: string[] = [];
  const tokens = shellTokens(cmd);
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i] ?? '';
    const next = tokens[i + 1];
    if (/^-/.test(t) && next !== undefined && !/^-/.test(next) && VALUE_FLAGS.has(t)) {
      units.push(`${t} ${next}`);
      i++;
    } else units.push(t);
  }
  return units;
}

const VALUE_FLAGS = new Set([
  '-H',
  '-X',
  '-c',
  '--data-raw',
  '--data-binary',
  '--env',
  '--only',
  '--registry-url',
  '--auth-url',
  '--mlflow-url',
  '--mlflow-path',
  '--mlflow-direct-url',
  '--service-id',
  '--api-key-env',
]);

/** A shell command, wrapped at token boundaries with ` \` continuations so it still pastes. */
function commandLines(cmd: string, width: number, indent: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const token of commandUnits(cmd)) {
    const candidate = line === '' ? token : `${line} ${token}`;
    if (line !== '' && columns(candidate) + indent + 2 > width) {
      lines.push(`${line} \\`);
      line = `  ${token}`;
    } else line = candidate;
  }
  if (line !== '') lines.push(line);
  return lines.map((l) => ' '.repeat(indent) + l);
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

function summaryLines(report: Report, width: number, c: ChalkInstance): string[] {
  const when = [formatDuration(report.durationMs), `${report.startedAt.replace('T', ' ').replace(/\.\d+Z$|Z$/, '')} UTC`];
  const strict = report.verdict === 'warn' && report.exitCode !== 0 ? ' (--strict: warnings fail)' : '';
  const exit = `${report.verdict === 'interrupted' ? `interrupted, exit ${report.exitCode}` : `exit ${report.exitCode}`}${strict}`;
  const line = (head: string): string[] => joinWrapped([head, ...when], width).map((l) => paint(l));
  const paint = verdictPaint(report.verdict, c);
  const [only] = report.targets;
  if (report.targets.length === 1 && only !== undefined) return line(`${stepCounts(only)} — ${exit}`);
  const nameWidth = Math.max(...report.targets.map((t) => columns(t.name)));
  return [
    ...report.targets.map((t) => `${padColumns(`${t.name}:`, nameWidth + 1)} ${stepCounts(t)}`),
    ...line(`verdict ${report.verdict} — ${exit}`),
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
    lines.push('', c.yellow(`Left behind on ${targetTitle(t)}:`));
    const why = t.steps.find((s) => s.id === 'cleanup')?.notes ?? [];
    for (const l of t.leftovers) {
      const reason = why
        .find((n) => n.startsWith(`${l}:`))
        ?.slice(l.length + 1)
        .trim();
      lines.push(...wrap(`- ${l}${reason ? ` (${reason})` : ''}`, width, 2, 4));
    }
    if (t.sweep) lines.push(...wrap(`remove them with: ${t.sweep}`, width, 2, 4));
  }
  return lines;
}

// ── text layout ─────────────────────────────────────────────────────────────────────────────────

/** Joins facts with ' · ', starting a new (indented) line when the next one would not fit. */
function joinWrapped(parts: readonly string[], width: number, indent = 2): string[] {
  const lines: string[] = [];
  let line = '';
  for (const part of parts) {
    const candidate = line === '' ? part : `${line} · ${part}`;
    if (line !== '' && columns(candidate) > width) {
      lines.push(line);
      line = ' '.repeat(indent) + part;
    } else {
      line = candidate;
    }
  }
  if (line !== '') lines.push(line);
  return lines;
}
