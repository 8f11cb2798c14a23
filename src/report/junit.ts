// `--junit`: JUnit XML as the Jenkins xUnit plugin's junit-10.xsd defines it (the schema CI servers
// read: only `testsuite@tests` and `testcase@name` are required; `testsuites` takes name, time,
// tests, failures, errors, disabled — no `skipped`). One testsuite per target, one testcase per
// step; `fail` → <failure>, `error` → <error> (Hurl's split), blocked/skipped → <skipped>. Sample:
//   <testsuite name="prod" tests="7" failures="1" errors="0" skipped="1" time="0.702" timestamp="…">
//     <testcase classname="hokus-check.prod" name="artifact" time="0.404">
//       <failure message="ROUTE_ARTIFACTS_MISROUTED: Tracking calls pass …" type="ROUTE_ARTIFACTS_MISROUTED">…
import type { Report, ReportExchange, ReportFinding, ReportStep, ReportTarget } from './schema.js';
import { exchangeIndex, exchangeLine, excerptOf, requestIdsText, squash } from './exchange-text.js';

export function renderJunit(report: Report): string {
  const steps = report.targets.flatMap((t) => t.steps);
  const attrs = {
    name: 'hokus-check',
    tests: steps.length,
    failures: steps.filter((s) => s.status === 'fail').length,
    errors: steps.filter((s) => s.status === 'error').length,
    time: seconds(report.durationMs),
  };
  const out = ['<?xml version="1.0" encoding="UTF-8"?>', `<testsuites${attributes(attrs)}>`];
  for (const t of report.targets) out.push(...suite(report, t));
  out.push('</testsuites>');
  return `${out.join('\n')}\n`;
}

function suite(report: Report, t: ReportTarget): string[] {
  const attrs = {
    name: t.name,
    tests: t.steps.length,
    failures: t.steps.filter((s) => s.status === 'fail').length,
    errors: t.steps.filter((s) => s.status === 'error').length,
    skipped: t.steps.filter((s) => s.status === 'blocked' || s.status === 'skipped').length,
    time: seconds(t.durationMs),
    timestamp: junitTimestamp(t.startedAt),
  };
  const props: Array<[string, string | undefined]> = [
    ['hokus-check.version', report.tool.version],
    ['check-id', t.checkId],
    ['trace-id', t.traceId],
    ['verdict', t.verdict],
    ['registry-url', t.registryUrl],
    ['auth-url', t.authUrl],
    ['mlflow-url', t.mlflowUrl],
    ['service-id', t.serviceId],
  ];
  const out = [`  <testsuite${attributes(attrs)}>`, '    <properties>'];
  for (const [name, value] of props) if (value !== undefined) out.push(`      <property${attributes({ name, value })}/>`);
  out.push('    </properties>');
  for (const s of t.steps) out.push(...testcase(t, s));
  if (t.leftovers.length > 0) {
    out.push(`    <system-out>${text(`Left behind:\n${t.leftovers.map((l) => `- ${l}`).join('\n')}`)}</system-out>`);
  }
  out.push('  </testsuite>');
  return out;
}

function testcase(t: ReportTarget, s: ReportStep): string[] {
  const open = `    <testcase${attributes({ classname: `hokus-check.${t.name}`, name: s.id, time: seconds(s.durationMs) })}`;
  const body: string[] = [];
  if (s.status === 'fail' || s.status === 'error') {
    const element = s.status === 'fail' ? 'failure' : 'error';
    const findings = t.findings.filter((f) => f.step === s.id && f.severity === 'error');
    const [main] = findings;
    const message = main === undefined ? `${s.id} ${s.status}: ${s.detail}` : `${main.code}: ${main.cause}`;
    const type = main === undefined ? `hokus-check.${s.status}` : main.code;
    body.push(
      `      <${element}${attributes({ message: squash(legal(message), 1000), type })}>${text(failureBody(t, s, findings))}</${element}>`,
    );
  } else if (s.status === 'blocked') {
    body.push(`      <skipped${attributes({ message: s.blockedBy ? `blocked by ${s.blockedBy}` : 'blocked' })}/>`);
  } else if (s.status === 'skipped') {
    body.push(`      <skipped${attributes({ message: s.detail === '' ? 'skipped' : `skipped: ${s.detail}` })}/>`);
  }
  const out = systemOut(t, s);
  if (out !== '') body.push(`      <system-out>${text(out)}</system-out>`);
  return body.length === 0 ? [`${open}/>`] : [`${open}>`, ...body, '    </testcase>'];
}

/** The finding(s) in full, then the exchanges that show it — what a CI reader needs, in one place. */
function failureBody(t: ReportTarget, s: ReportStep, findings: readonly ReportFinding[]): string {
  const byId = exchangeIndex(t.exchanges);
  const parts: string[] = [];
  for (const f of findings) {
    const lines = [`${f.code} — ${f.title}${f.rootCause ? ' (root cause)' : ''}`, f.cause];
    if (f.fix.length > 0) lines.push('', 'Fix:', ...f.fix.map((x, i) => `  ${i + 1}. ${x}`));
    const evidence = f.evidence.map((id) => byId.get(id)).filter((x): x is ReportExchange => x !== undefined);
    if (evidence.length > 0) lines.push('', 'Evidence:', ...evidence.flatMap(exchangeText));
    lines.push('', `Run \`hokus-check explain ${f.code}\` for details.`);
    parts.push(lines.join('\n'));
  }
  if (findings.length === 0) {
    const failing = s.exchanges
      .map((id) => byId.get(id))
      .filter((x): x is ReportExchange => x !== undefined && (x.error !== undefined || (x.response?.status ?? 0) >= 400));
    const lines = [`${s.id} ${s.status}: ${s.detail}`];
    if (failing.length > 0) lines.push('', 'Exchanges:', ...failing.flatMap(exchangeText));
    parts.push(lines.join('\n'));
  }
  return parts.join('\n\n');
}

function exchangeText(x: ReportExchange): string[] {
  const excerpt = excerptOf(x);
  const ids = requestIdsText(x);
  return [
    `  ${x.id} ${exchangeLine(x)}`,
    ...(excerpt === undefined ? [] : [`     ${excerpt}`]),
    ...(ids === undefined ? [] : [`     request ids: ${ids}`]),
  ];
}

/** Step detail, notes and warnings; a `warn` step passes and says why here. */
function systemOut(t: ReportTarget, s: ReportStep): string {
  const lines: string[] = [];
  if (s.status === 'warn') {
    lines.push(`warn: ${s.detail}`);
    for (const f of t.findings.filter((x) => x.step === s.id && x.severity === 'warn')) {
      lines.push(`${f.code} — ${f.title}`, f.cause, ...f.fix.map((x, i) => `  ${i + 1}. ${x}`));
    }
  }
  for (const note of s.notes) lines.push(`note: ${note}`);
  return lines.join('\n');
}

function attributes(attrs: Record<string, string | number>): string {
  return Object.entries(attrs)
    .map(([k, v]) => ` ${k}="${attr(String(v))}"`)
    .join('');
}

/** Attribute value: markup escaped, whitespace kept as character references (not normalised away). */
function attr(s: string): string {
  return legal(s)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/\t/g, '&#9;')
    .replace(/\n/g, '&#10;')
    .replace(/\r/g, '&#13;');
}

function text(s: string): string {
  return legal(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/\r/g, '&#13;');
}

/** Drops characters XML 1.0 does not allow at all (control characters, lone surrogates, U+FFFE/F). */
function legal(s: string): string {
  return s.replace(/[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, '');
}

function seconds(ms: number): string {
  return (ms / 1000).toFixed(3);
}

/** Ant's format: local date-time without zone; ours is UTC. */
function junitTimestamp(iso: string): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toISOString().slice(0, 19);
}
