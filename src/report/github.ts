// GitHub Actions workflow commands (docs.github.com: "Workflow commands for GitHub Actions",
// `::error` / `::warning` with a `title` property): one error per root cause, one warning per
// warn finding, so the run's summary page shows the diagnosis without opening the log. Sample:
//   ::error title=ROUTE_ARTIFACTS_MISROUTED::Tracking calls pass … Request ids: x9 x-request-id 2f1e0c9a. Fix: Rewrite api/2.0/…
//   ::warning title=HEALTH_DEGRADED::GET /health answered "degraded" … Fix: Look at the mlflow …
//   ::error title=hokus-check::prod: register error: connect ECONNREFUSED
// These are the only lines the tool means as workflow commands: each is built here, its text redacted,
// inert, defused and escaped, so server text can neither end it early nor start a command of its own —
// also not the legacy `##[command]`, which the runner finds anywhere in a line (the last pass's rule,
// src/report/safe-output.ts).
import { inertBlock, inertLine } from '../http/inert.js';
import { createRedactor, type Redactor } from '../http/redact.js';
import { exchangeIndex, requestIdsText } from './exchange-text.js';
import { defuseCommands } from './safe-output.js';
import type { Report, ReportFinding, ReportTarget } from './schema.js';

export function renderGithubAnnotations(report: Report, redact: Redactor = createRedactor([])): string {
  const command = (kind: 'error' | 'warning', title: string, text: string) =>
    `::${kind} title=${escapeProperty(defuseCommands(inertLine(redact(title))))}::${escapeData(defuseCommands(inertBlock(redact(text))))}`;
  const multi = report.targets.length > 1;
  const lines: string[] = [];
  for (const t of report.targets) {
    const where = multi ? `[${t.name}] ` : '';
    const roots = t.findings.filter((f) => f.rootCause);
    for (const f of roots) lines.push(command('error', f.code, where + message(f, t)));
    if (roots.length === 0) lines.push(...undiagnosed(t).map((text) => command('error', 'hokus-check', text)));
    for (const f of t.findings.filter((x) => x.severity === 'warn' && !x.rootCause)) {
      lines.push(command('warning', f.code, where + message(f, t)));
    }
    if (t.interrupted) lines.push(command('warning', 'hokus-check', `${t.name}: the check was interrupted`));
  }
  return lines.length === 0 ? '' : `${lines.join('\n')}\n`;
}

/** The root-cause step (as the diagnosis marked it) that no rule explained still gets an annotation. */
function undiagnosed(t: ReportTarget): string[] {
  const step = t.steps.find((s) => s.rootCause);
  if (step === undefined) return [];
  return [`${t.name}: ${step.id} ${step.status}: ${step.detail}`];
}

function message(f: ReportFinding, t: ReportTarget): string {
  const [fix] = f.fix;
  const ids = evidenceRequestIds(f, t);
  const said = ids === undefined ? f.cause : `${f.cause} Request ids: ${ids}.`;
  return fix === undefined ? said : `${said} Fix: ${fix}`;
}

/** The request ids the evidence's answers carried, `x8 x-request-id 2f1e0c9a; x9 cf-ray …` (three answers at most). */
function evidenceRequestIds(f: ReportFinding, t: ReportTarget): string | undefined {
  const byId = exchangeIndex(t.exchanges);
  const cited = f.evidence.flatMap((id) => {
    const x = byId.get(id);
    const ids = x === undefined ? undefined : requestIdsText(x);
    return ids === undefined ? [] : [`${id} ${ids}`];
  });
  return cited.length === 0 ? undefined : cited.slice(0, 3).join('; ');
}

/** Message text: `%`, CR and LF are percent-encoded (GitHub's escapeData). */
export function escapeData(s: string): string {
  return s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

/** Property values: as data, plus `:` and `,` (GitHub's escapeProperty). */
export function escapeProperty(s: string): string {
  return escapeData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');
}
