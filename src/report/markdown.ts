// `--markdown` and the GitHub step summary: GitHub-flavoured Markdown (github.github.com/gfm,
// tables with `\|` escaped in cells) written like an incident report: what was checked, the
// matrix, the root cause with its evidence, other findings, the fix, timings and leftovers. Sample:
//   # hokus-check: FAIL — prod
//   | Step | prod | Detail |   (each finding: cause, evidence, fix, curl to reproduce, command to confirm)
//   | artifact | ✖ **fail** 404ms ← root cause | 404 on PUT artifact |
import { STEP_IDS } from '../steps/types.js';
import type { Report, ReportExchange, ReportFinding, ReportStep, ReportTarget } from './schema.js';
import { EXCERPT_MAX, chainText, exchangeIndex, excerptOf, formatDuration, mediaType, squash } from './exchange-text.js';
import { STATUS_SYMBOL } from './status-symbols.js';
import { targetTitle } from './target-title.js';

export function renderMarkdown(report: Report): string {
  const sections = [
    title(report),
    facts(report),
    matrix(report),
    rootCause(report),
    otherFindings(report),
    timings(report),
    leftovers(report),
  ].filter((s) => s !== '');
  return `${sections.join('\n\n')}\n`;
}

function title(report: Report): string {
  return `# hokus-check: ${report.verdict.toUpperCase()} — ${report.targets.map((t) => text(t.name)).join(', ')}`;
}

function facts(report: Report): string {
  const multi = report.targets.length > 1;
  const rows: Array<[string, string]> = [
    ['Verdict', `**${report.verdict}** (exit ${report.exitCode})`],
    ...report.targets.map((t): [string, string] => [
      multi ? `Target ${text(t.name)}` : 'Target',
      [
        multi ? undefined : text(t.name),
        (t.registryUrl ?? t.mlflowUrl) ? code(t.registryUrl ?? t.mlflowUrl ?? '') : undefined,
        report.checkId === undefined ? `check ${code(t.checkId)}` : undefined,
        t.key === undefined ? undefined : `key ${code(t.key)}`,
        t.traceId === undefined ? undefined : `trace ${code(t.traceId)}`,
        multi ? `**${t.verdict}**` : undefined,
      ]
        .filter((x) => x !== undefined)
        .join(' · '),
    ]),
    ['Tool', `hokus-check ${text(report.tool.version)}`],
    ['Date', text(humanDate(report.startedAt))],
    ...(report.checkId === undefined ? [] : [['Check id', code(report.checkId)] as [string, string]]),
    ['Duration', formatDuration(report.durationMs)],
    ...(report.insecure ? [['TLS', '**not verified** (`--insecure`)'] as [string, string]] : []),
  ];
  return table(['Field', 'Value'], rows);
}

function matrix(report: Report): string {
  const targets = report.targets;
  const single = targets.length === 1;
  const rows = STEP_IDS.filter((id) => targets.some((t) => t.steps.some((s) => s.id === id))).map((id) => {
    const cells = targets.map((t) => cell(t.steps.find((s) => s.id === id)));
    const step = targets[0]?.steps.find((s) => s.id === id);
    // A blocked cell already names what blocked it.
    if (single) cells.push(step === undefined || step.status === 'blocked' ? '' : text(step.detail));
    return [id, ...cells];
  });
  const head = ['Step', ...targets.map((t) => text(targetTitle(t))), ...(single ? ['Detail'] : [])];
  return `## Matrix\n\n${table(head, rows)}`;
}

function cell(step: ReportStep | undefined): string {
  if (step === undefined) return '–';
  const word = step.status === 'fail' || step.status === 'error' ? `**${step.status}**` : step.status;
  const base = `${STATUS_SYMBOL[step.status]} ${word}`;
  const tail =
    step.status === 'blocked'
      ? step.blockedBy
        ? ` (by ${step.blockedBy})`
        : ''
      : step.status === 'skipped'
        ? ''
        : ` ${formatDuration(step.durationMs)}`;
  return `${base}${tail}${step.rootCause ? ' ← root cause' : ''}`;
}

function rootCause(report: Report): string {
  const roots = report.targets.flatMap((t) => t.findings.filter((f) => f.rootCause).map((f) => [t, f] as const));
  // A root-cause step (the diagnosis marked it) that no rule explained still gets its section.
  const undiagnosed = report.targets.filter((t) => !t.findings.some((f) => f.rootCause) && t.steps.some((s) => s.rootCause));
  if (roots.length === 0 && undiagnosed.length === 0) {
    return `## Root cause\n\nNone: no step failed${report.verdict === 'warn' ? ' (see the warnings below)' : ''}.`;
  }
  const blocks = roots.map(([t, f]) => findingBlock(report, t, f, '###'));
  for (const t of undiagnosed) {
    const s = t.steps.find((x) => x.rootCause);
    if (s !== undefined) {
      blocks.push(
        `### ${text(t.name)}: ${s.id} ${s.status}\n\n${text(s.detail)}\n\nNo diagnosis rule matched; the exchanges are in the HAR/JSON report.`,
      );
    }
  }
  return `## Root cause\n\n${blocks.join('\n\n')}`;
}

function otherFindings(report: Report): string {
  const others = report.targets.flatMap((t) => t.findings.filter((f) => !f.rootCause).map((f) => [t, f] as const));
  if (others.length === 0) return '';
  return `## Other findings\n\n${others.map(([t, f]) => findingBlock(report, t, f, '###')).join('\n\n')}`;
}

function findingBlock(report: Report, t: ReportTarget, f: ReportFinding, level: string): string {
  const where = report.targets.length > 1 ? `${text(t.name)}, ` : '';
  const kind = f.severity === 'warn' ? 'warning, ' : '';
  const parts = [
    `${level} ${code(f.code)} — ${text(f.title)}`,
    `*${kind}${where}step ${f.step}${f.related.length > 0 ? ` · related: ${f.related.map(code).join(', ')}` : ''}*`,
    prose(squash(f.cause, Infinity)),
  ];
  const evidence = evidenceTable(t, f.evidence);
  if (evidence !== '') parts.push(`**Evidence**\n\n${evidence}`);
  // The fix sits with the finding it fixes.
  if (f.fix.length > 0) parts.push(`**Fix**\n\n${f.fix.map((x, i) => `${i + 1}. ${prose(squash(x, Infinity))}`).join('\n')}`);
  if (f.repro !== undefined && f.repro.length > 0) {
    parts.push(`**Reproduce**\n\n${fenced(f.repro.join('\n'), 'sh')}`);
  }
  if (f.confirm !== undefined) parts.push(`**Confirm the fix**\n\n${fenced(f.confirm, 'sh')}`);
  parts.push(`Run \`hokus-check explain ${f.code}\` for details.`);
  return parts.join('\n\n');
}

function evidenceTable(t: ReportTarget, ids: readonly string[]): string {
  if (ids.length === 0) return '';
  const byId = exchangeIndex(t.exchanges);
  // The answers' request ids (what finds each request in the servers' logs): a column when any has one.
  const withIds = ids.some((id) => (byId.get(id)?.requestIds ?? []).length > 0);
  const rows = ids.map((id) => {
    const x = byId.get(id);
    if (x === undefined) return [id, '(not recorded)', '', '', '', ...(withIds ? [''] : [])];
    const idsCell = withIds ? [requestIdsCell(x)] : [];
    return [id, code(`${x.request.method} ${x.request.url}`), statusCell(x), text(chainText(x) ?? ''), excerptCell(x), ...idsCell];
  });
  return table(['#', 'Request', 'Status', 'Responder', 'Excerpt', ...(withIds ? ['Request ids'] : [])], rows);
}

function requestIdsCell(x: ReportExchange): string {
  return (x.requestIds ?? []).map((r) => `${text(r.header)} ${code(r.value)}`).join(' · ');
}

function statusCell(x: ReportExchange): string {
  if (x.response !== undefined) {
    const type = mediaType(x.response.contentType);
    return type === undefined ? String(x.response.status) : `${x.response.status} ${code(type)}`;
  }
  if (x.error !== undefined) return `**${x.error.kind}**${x.error.code === undefined ? '' : ` ${code(x.error.code)}`}`;
  return '—';
}

function excerptCell(x: ReportExchange): string {
  const e = excerptOf(x, EXCERPT_MAX);
  return e === undefined ? '' : code(e);
}

function timings(report: Report): string {
  const targets = report.targets;
  const rows = STEP_IDS.filter((id) => targets.some((t) => t.steps.some((s) => s.id === id))).map((id) => [
    id,
    ...targets.map((t) => {
      const s = t.steps.find((x) => x.id === id);
      return s === undefined || s.status === 'blocked' || s.status === 'skipped' ? '–' : formatDuration(s.durationMs);
    }),
  ]);
  rows.push(['**total**', ...targets.map((t) => `**${formatDuration(t.durationMs)}**`)]);
  const perStep = table(['Step', ...targets.map((t) => text(targetTitle(t)))], rows);

  const slowest = targets
    .flatMap((t) => t.exchanges.map((x) => [t, x] as const))
    .filter(([, x]) => x.timings.total >= 0)
    .sort(([, a], [, b]) => b.timings.total - a.timings.total)
    .slice(0, 5);
  const multi = targets.length > 1;
  const slowRows = slowest.map(([t, x]) => [
    ...(multi ? [text(t.name)] : []),
    x.id,
    x.step,
    code(`${x.request.method} ${x.request.url}`),
    statusCell(x),
    formatDuration(x.timings.total),
  ]);
  const slowTable =
    slowRows.length === 0
      ? ''
      : `\n\nSlowest exchanges:\n\n${table([...(multi ? ['Target'] : []), '#', 'Step', 'Request', 'Status', 'Time'], slowRows)}`;
  return `## Timings\n\n${perStep}${slowTable}`;
}

function leftovers(report: Report): string {
  const items = report.targets.flatMap((t) => t.leftovers.map((l) => (report.targets.length > 1 ? `${t.name}: ${l}` : l)));
  if (items.length === 0) return '';
  const sweeps = report.targets.flatMap((t) =>
    t.sweep ? [`${report.targets.length > 1 ? `${text(t.name)}: ` : ''}remove them with ${code(t.sweep)}`] : [],
  );
  return `## Leftovers\n\n${items.map((l) => `- ${text(l)}`).join('\n')}${sweeps.length > 0 ? `\n\n${sweeps.join('\n\n')}` : ''}`;
}

// ── Markdown primitives ─────────────────────────────────────────────────────────────────────────

/** A GFM table; every cell is one line and its `|` are escaped (also inside code spans). */
function table(head: readonly string[], rows: ReadonlyArray<readonly string[]>): string {
  const line = (cells: readonly string[]): string => `| ${cells.map(tableCell).join(' | ')} |`;
  return [line(head), `|${head.map(() => '---').join('|')}|`, ...rows.map(line)].join('\n');
}

function tableCell(s: string): string {
  return s.replace(/\r?\n/g, ' ').replace(/\|/g, '\\|');
}

/**
 * Plain text: Markdown and HTML punctuation escaped so a body excerpt cannot become markup, and bare
 * URLs kept from becoming links.
 */
function text(s: string): string {
  // `_` inside a word (MLFLOW_SERVER_URL) never starts emphasis in GFM, so it stays readable.
  return unlinked(s.replace(/[\\`*[\]<>#]/g, '\\$&').replace(/(?<![\p{L}\p{N}])_|_(?![\p{L}\p{N}])/gu, '\\_'));
}

/**
 * Server text names URLs, and GitHub's Markdown (github.github.com/gfm, "Autolinks (extension)";
 * cmark-gfm's extensions/autolink.c) makes a link of a bare `http://`, `https://` or `ftp://` URL and of
 * `www.` + a domain: a page under the server's control, one click from the job summary. A ZERO WIDTH
 * JOINER (U+200D) between the scheme and its `:` (and between `www` and its `.`) breaks the pattern —
 * the autolinker reads the letters just before the `:` as the scheme, and needs `www.` literally — while
 * the text reads the same. Not `&#58;` for the `:`: an entity is decoded into the text node, which an
 * autolinker may scan after the inline pass (cmark-gfm does so for e-mail addresses), so whether it
 * stays unlinked depends on the parser; a character that is still there after decoding does not. Not
 * a code span: code is for what the tool means as code. Only plain text passes here: code spans and
 * fences (a request URL, a curl line) keep their URLs as they are, to copy, and a link the renderer
 * writes itself (none today) would be written as a link, not as plain text.
 */
function unlinked(s: string): string {
  return s.replace(/(https?|ftp)(?=:\/\/)|(?<![\p{L}\p{N}])(www)(?=\.)/giu, (m) => `${m}\u200d`);
}

/**
 * Text written by a rule: its `code` spans stay code (a rule means them), the rest is plain text.
 * With an odd number of backticks nothing is taken for code.
 */
function prose(s: string): string {
  const parts = s.split('`');
  if (parts.length % 2 === 0) return text(s);
  return parts.map((p, i) => (i % 2 === 1 ? code(p) : text(p))).join('');
}

/** A fenced code block whose fence is longer than any backtick run inside it. */
function fenced(body: string, lang: string): string {
  const runs = body.match(/`+/g) ?? [];
  const fence = '`'.repeat(Math.max(2, ...runs.map((r) => r.length)) + 1);
  return `${fence}${lang}\n${body}\n${fence}`;
}

/** An inline code span that survives backticks in its content. */
function code(s: string): string {
  const flat = s.replace(/\s+/g, ' ');
  const runs = flat.match(/`+/g) ?? [];
  const fence = '`'.repeat(Math.max(0, ...runs.map((r) => r.length)) + 1);
  const pad = flat.startsWith('`') || flat.endsWith('`') || flat === '' ? ' ' : '';
  return `${fence}${pad}${flat}${pad}${fence}`;
}

function humanDate(iso: string): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : `${d.toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}
