// Turns the finished checks into the report v1 object every output format renders. The only place
// that reads CheckResult besides exit-code.ts: reporters see nothing the report does not carry.
import type { Exchange } from '../http/types.js';
import { fingerprintOf } from '../diagnosis/fingerprint.js';
import type { Finding } from '../diagnosis/types.js';
import { STEP_IDS } from '../steps/types.js';
import type { CheckResult, StepId, StepResult, StepStatus } from '../steps/types.js';
import { confirmCommand, sweepCommand } from '../config/target-flags.js';
import { reproCommands } from './repro.js';
import { logSearchLines } from './log-search.js';
import { SCHEMA_VERSION } from './version.js';
import type { Report, ReportExchange, ReportFinding, ReportStep, ReportTarget, Verdict } from './schema.js';

export interface ReportMeta {
  version: string;
  startedAt: string;
  durationMs: number;
  exitCode: number;
  interrupted: boolean;
}

export function buildReport(results: readonly CheckResult[], meta: ReportMeta): Report {
  const targets = results.map(buildTarget);
  const checkIds = new Set(targets.map((t) => t.checkId));
  const verdict = meta.interrupted ? 'interrupted' : targets.length === 0 ? 'error' : worstVerdict(targets.map((t) => t.verdict));
  const [onlyCheckId] = checkIds;
  return {
    schemaVersion: SCHEMA_VERSION,
    tool: { name: 'hokus-check', version: meta.version },
    ...(checkIds.size === 1 && onlyCheckId !== undefined ? { checkId: onlyCheckId } : {}),
    startedAt: meta.startedAt,
    durationMs: millis(meta.durationMs),
    verdict,
    exitCode: meta.exitCode,
    insecure: results.some((r) => r.insecure),
    targets,
  };
}

const VERDICT_RANK: Record<Verdict, number> = { pass: 0, warn: 1, error: 2, fail: 3, interrupted: 4 };

/** A target's verdict: interrupted > fail (any fail) > error (any error, no fail) > warn > pass. */
export function verdictOf(steps: ReadonlyArray<{ status: StepStatus }>, interrupted = false): Verdict {
  if (interrupted) return 'interrupted';
  const statuses = new Set(steps.map((s) => s.status));
  if (statuses.has('fail')) return 'fail';
  if (statuses.has('error')) return 'error';
  if (statuses.has('warn')) return 'warn';
  return 'pass';
}

/** The worst of several verdicts (the run's overall verdict). */
export function worstVerdict(verdicts: readonly Verdict[]): Verdict {
  return verdicts.reduce<Verdict>((worst, v) => (VERDICT_RANK[v] > VERDICT_RANK[worst] ? v : worst), 'pass');
}

function buildTarget(result: CheckResult): ReportTarget {
  const { target } = result;
  const exchanges = result.exchanges.map(copyExchange);
  // The diagnosis result owns the findings, in its order (root cause first); steps list theirs by id.
  // Each fix ends with where to find its evidence in the servers' logs: the answers' request ids.
  const byId = new Map(exchanges.map((x) => [x.id, x]));
  const findings = result.findings
    .map(normalizeFinding)
    .map((f) => ({ ...f, fix: [...f.fix, ...logSearchLines(f, byId, result.traceId)] }));
  const key = result.keyMasked === undefined ? undefined : ensureMasked(result.keyMasked);
  const head = {
    name: target.name,
    kind: target.kind,
    ...optional('registryUrl', safeUrl(target.registryUrl)),
    ...optional('authUrl', safeUrl(target.authUrl)),
    ...optional('mlflowUrl', safeUrl(target.mlflowUrl)),
    ...optional('mlflowDirectUrl', safeUrl(target.mlflowDirectUrl)),
    mlflowPath: target.mlflowPath,
    serviceId: target.serviceId,
    apiKeyEnv: target.apiKeyEnv,
    ...optional('key', key),
    checkId: result.checkId,
    ...optional('traceId', result.traceId),
    startedAt: result.startedAt,
    verdict: verdictOf(result.steps, result.interrupted),
    durationMs: millis(result.durationMs),
    interrupted: result.interrupted,
    leftovers: [...result.leftovers],
  };
  // From the shown URLs (no userinfo), as the confirm command below.
  // The client certificate's paths too: the printed commands must reach the target as this check did.
  const named = { ...head, clientCert: target.clientCert };
  const sweep = result.leftovers.length > 0 ? { sweep: sweepCommand(named, result.checkId) } : {};
  // The root cause carries the commands that show it again and confirm its fix.
  const withRepro = findings.map((f) =>
    f.rootCause
      ? {
          ...f,
          repro: reproCommands(f, { exchanges, apiKeyEnv: target.apiKeyEnv, clientCert: target.clientCert }),
          confirm: confirmCommand(named, f.step),
        }
      : f,
  );
  const steps = result.steps.map((s) => buildStep(s, withRepro, exchanges));
  return { ...head, ...sweep, steps, findings: withRepro, exchanges };
}

function buildStep(step: StepResult, findings: readonly ReportFinding[], exchanges: readonly ReportExchange[]): ReportStep {
  // The step's own list is authoritative; exchanges tagged with the step are added in case a
  // runner recorded them without listing them, so nothing the step did goes missing.
  const ids = new Set(step.exchangeIds);
  for (const x of exchanges) if (x.step === step.id) ids.add(x.id);
  const order = new Map(exchanges.map((x, i) => [x.id, i]));
  const exchangeIds = [...ids].sort((a, b) => (order.get(a) ?? Infinity) - (order.get(b) ?? Infinity));
  return {
    id: step.id,
    status: step.status,
    durationMs: millis(step.durationMs),
    detail: retriesNote(step.id, exchanges) + step.detail,
    notes: [...step.notes],
    rootCause: step.rootCause,
    blockedBy: step.status === 'blocked' ? (step.blockedBy ?? null) : null,
    findings: findings.filter((f) => f.step === step.id).map(({ step: _step, ...rest }) => rest),
    exchanges: exchangeIds,
  };
}

/**
 * A step that got there only after retries says so first: `after 2 retries (503 from load-balancer): `.
 * The tries that were retried are the step's own requests (probes make one try).
 */
function retriesNote(step: StepId, exchanges: readonly ReportExchange[]): string {
  const retried = exchanges.filter((x) => x.step === step && x.retried === true && x.probe === undefined);
  const last = retried.at(-1);
  if (last === undefined) return '';
  const answer = last.response !== undefined ? String(last.response.status) : (last.error?.kind ?? 'no answer');
  const who = last.responder !== undefined && last.responder !== 'unknown' ? ` from ${last.responder}` : '';
  return `after ${retried.length} ${retried.length === 1 ? 'retry' : 'retries'} (${answer}${who}): `;
}

/** Copies only the fields the report defines, so nothing else an exchange carries can leak out. */
function copyExchange(x: Exchange): ReportExchange {
  const step = x.step;
  if (!isStepId(step)) throw new Error(`exchange ${x.id} names an unknown step '${step}'`);
  const { request: q, response: r, error: e, timings: t } = x;
  return {
    id: x.id,
    step,
    ...optional('probe', x.probe),
    label: x.label,
    attempt: x.attempt,
    startedAt: x.startedAt,
    request: {
      method: q.method,
      url: q.url,
      headers: q.headers.map(([n, v]) => [n, v] as [string, string]),
      ...optional('bodyExcerpt', q.bodyExcerpt),
      ...optional('bodySize', q.bodySize),
    },
    ...(r === undefined
      ? {}
      : {
          response: {
            status: r.status,
            ...optional('statusText', r.statusText),
            headers: r.headers.map(([n, v]) => [n, v] as [string, string]),
            ...optional('contentType', r.contentType),
            bodyExcerpt: r.bodyExcerpt,
            bodySize: r.bodySize,
            truncated: r.truncated,
            ...optional('invalidUtf8', r.invalidUtf8),
            ...(r.binary === undefined ? {} : { binary: { sha256: r.binary.sha256, ...optional('head', r.binary.head) } }),
          },
        }),
    ...(e === undefined
      ? {}
      : {
          error: {
            kind: e.kind,
            ...optional('code', e.code),
            message: e.message,
            ...optional('phase', e.phase),
            ...optional('proxyStatus', e.proxyStatus),
          },
        }),
    timings: {
      blocked: t.blocked,
      dns: t.dns,
      connect: t.connect,
      ssl: t.ssl,
      send: t.send,
      wait: t.wait,
      receive: t.receive,
      total: t.total,
    },
    // Who answered: the diagnosis's annotation beside the exchange.
    ...optional('responder', fingerprintOf(x).responder),
    chain: [...fingerprintOf(x).chain],
    ...optional('retried', x.retried),
    ...optional('via', x.via),
    ...optional('clientCert', x.clientCert),
    ...optional('spanId', x.spanId),
    ...(x.requestIds === undefined ? {} : { requestIds: x.requestIds.map((r) => ({ header: r.header, value: r.value })) }),
  };
}

function normalizeFinding(f: Finding): ReportFinding {
  return {
    code: f.code,
    title: f.title,
    severity: f.severity,
    step: f.step,
    cause: f.cause,
    evidence: [...f.evidence],
    fix: [...f.fix],
    // The diagnosis marks the root cause (src/diagnosis/engine.ts); nothing here second-guesses it.
    rootCause: f.rootCause === true,
    related: [...(f.related ?? [])],
  };
}

/** Keys reach the report already masked; this is the belt to that braces. */
function ensureMasked(key: string): string {
  if (key.includes('…')) return key;
  const prefix = /^[A-Za-z]+_(?:[A-Za-z]+_)?/.exec(key)?.[0] ?? '';
  const tail = key.length - prefix.length >= 12 ? key.slice(-4) : '';
  return `${prefix}…${tail}`;
}

/** Configured URLs never carry a password into the report. */
function safeUrl(url: string | undefined): string | undefined {
  if (url === undefined) return undefined;
  try {
    const u = new URL(url);
    if (u.password === '') return url;
    u.password = '***';
    return u.toString();
  } catch {
    return url;
  }
}

function isStepId(s: string): s is StepId {
  return (STEP_IDS as readonly string[]).includes(s);
}

function millis(ms: number): number {
  return Number.isFinite(ms) ? Math.max(0, Math.round(ms)) : 0;
}

/** `{[name]: value}` when value is defined, `{}` otherwise (keeps absent fields absent in JSON). */
function optional<K extends string, V>(name: K, value: V | undefined): { [P in K]?: V } {
  return value === undefined ? {} : ({ [name]: value } as { [P in K]?: V });
}
