// The report v1 as Prometheus text exposition (format 0.0.4): what `hokus-check exporter` answers on
// /probe and what `--prometheus FILE` writes for node_exporter's textfile collector. Sample:
//   # HELP hokus_check_success 1 when the check passed (warnings allowed), else 0.
//   # TYPE hokus_check_success gauge
//   hokus_check_success{env="staging"} 0
//   hokus_check_step_success{env="staging",step="artifact"} 0
//   hokus_check_finding{env="staging",code="ROUTE_ARTIFACTS_MISROUTED",step="artifact",root="true"} 1
// Every series carries `env` (the target's name), so one file can hold several targets and the
// alerting rules in examples/ read the same in probe and textfile mode. No sample timestamps: the
// textfile collector refuses them; hokus_check_timestamp_seconds says when the check ran instead.
// Label values are escaped per the format and stripped of control characters; nothing a server sent
// becomes a label (codes come from the catalogue, steps from the step list, the target is a
// configured URL without credentials, query or fragment).
import type { Report, ReportStep, ReportTarget } from './schema.js';

type Labels = Record<string, string>;
interface Family {
  name: string;
  help: string;
  samples: Array<{ labels: Labels; value: number }>;
}

/** Steps that did not run because the user chose so carry no success sample (absent, not 0). */
const NOT_RUN = new Set<ReportStep['status']>(['skipped']);
const PASSING = new Set<ReportStep['status']>(['pass', 'warn']);
const STATUSES: ReadonlyArray<ReportStep['status']> = ['pass', 'warn', 'fail', 'error', 'blocked', 'skipped'];
/** HAR phases of each exchange, summed per step ('total' is their sum, so it is left out). */
const PHASES = ['blocked', 'dns', 'connect', 'ssl', 'send', 'wait', 'receive'] as const;

export function renderPrometheus(report: Report): string {
  const families = new Map<string, Family>();
  const add = (name: string, help: string, labels: Labels, value: number): void => {
    let family = families.get(name);
    if (!family) families.set(name, (family = { name, help, samples: [] }));
    family.samples.push({ labels, value });
  };
  for (const target of report.targets) addTarget(add, target, report.tool.version);
  return [...families.values()].map(renderFamily).join('');
}

function addTarget(add: (name: string, help: string, labels: Labels, value: number) => void, t: ReportTarget, version: string): void {
  const env = { env: t.name };
  add(
    'hokus_check_success',
    '1 when the check passed (warnings allowed), else 0.',
    env,
    t.verdict === 'pass' || t.verdict === 'warn' ? 1 : 0,
  );
  add('hokus_check_duration_seconds', 'Wall time of the whole check, cleanup included.', env, seconds(t.durationMs));
  add('hokus_check_timestamp_seconds', 'When the check started (Unix time).', env, Date.parse(t.startedAt) / 1000);
  add('hokus_check_leftovers', 'Resources the check could not delete (or --keep kept).', env, t.leftovers.length);
  add('hokus_check_info', 'The checking tool and the target it checked.', { ...env, version, target: targetUrl(t) }, 1);
  for (const step of t.steps) {
    const labels = { ...env, step: step.id };
    if (!NOT_RUN.has(step.status))
      add(
        'hokus_check_step_success',
        '1 when the step passed (or warned), 0 when it failed, errored or was blocked.',
        labels,
        PASSING.has(step.status) ? 1 : 0,
      );
    for (const status of STATUSES) {
      add(
        'hokus_check_step_status',
        "The step's status: 1 for the status it ended in, 0 for the others.",
        { ...labels, status },
        step.status === status ? 1 : 0,
      );
    }
    add('hokus_check_step_duration_seconds', 'Wall time of the step.', labels, seconds(step.durationMs));
    const exchanges = t.exchanges.filter((x) => step.exchanges.includes(x.id));
    for (const phase of PHASES) {
      const ms = exchanges.reduce((sum, x) => sum + Math.max(0, x.timings[phase]), 0);
      add(
        'hokus_check_step_phase_seconds',
        "Time the step's requests spent in each HTTP phase (HAR timings, summed over its exchanges).",
        { ...labels, phase },
        seconds(ms),
      );
    }
    add('hokus_check_step_requests', 'Requests the step sent (retries and diagnosis probes included).', labels, exchanges.length);
  }
  for (const f of t.findings) {
    add(
      'hokus_check_finding',
      'A diagnosis of the check (hokus-check explain CODE); root="true" marks the root cause.',
      { ...env, code: f.code, step: f.step, root: String(f.rootCause) },
      1,
    );
  }
}

/** The configured target, for the info series: scheme, host, port and path only. */
function targetUrl(t: ReportTarget): string {
  const raw = t.registryUrl ?? t.mlflowUrl ?? '';
  try {
    const u = new URL(raw);
    return `${u.protocol}//${u.host}${u.pathname === '/' ? '' : u.pathname}`;
  } catch {
    return '';
  }
}

function renderFamily(f: Family): string {
  // The same labels twice in one family (a finding code listed twice for one step) is a duplicate
  // series, which Prometheus rejects: keep the first.
  const seen = new Set<string>();
  let out = `# HELP ${f.name} ${escapeHelp(f.help)}\n# TYPE ${f.name} gauge\n`;
  for (const s of f.samples) {
    const labels = Object.entries(s.labels)
      .map(([k, v]) => `${k}="${escapeLabelValue(v)}"`)
      .join(',');
    if (seen.has(labels)) continue;
    seen.add(labels);
    out += `${f.name}${labels ? `{${labels}}` : ''} ${formatValue(s.value)}\n`;
  }
  return out;
}

const MAX_LABEL_CHARS = 200;

/**
 * A label value as the exposition format wants it: `\`, `"` and line feed escaped. Control
 * characters (line breaks, escapes, DEL, the C1 range) are dropped first and long values cut, so a
 * label can never carry terminal escapes or a fake extra line into a dashboard or a log.
 */
export function escapeLabelValue(value: string): string {
  const clean = [...value.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, '')].slice(0, MAX_LABEL_CHARS).join('');
  return clean.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

function escapeHelp(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

function formatValue(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  return String(v);
}

function seconds(ms: number): number {
  return Math.max(0, ms) / 1000;
}
