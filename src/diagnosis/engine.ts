// The diagnosis engine: fingerprints every exchange, runs every rule over the whole check's
// evidence, then decides what the reports say — duplicates merged, generic findings dropped when a
// specific one explains the same exchange, the root-cause finding marked and put first, and
// consequences linked to it.
import { STEP_IDS } from '../steps/types.js';
import { RULES, ruleFor } from './catalogue.js';
import { rootStepOf } from './evidence-query.js';
import { annotate, fingerprintAll, originOf } from './fingerprint.js';
import { degradedComponents } from './rules/health.js';
import type { Evidence, Finding } from './types.js';

/**
 * Findings for one target's check, root cause first: `rootCause` is true on exactly one finding when
 * a step failed, false on all others. Who answered each exchange is annotated beside it
 * (fingerprint.ts, fingerprintOf); the exchanges themselves are not written to.
 */
export function diagnose(ev: Evidence): Finding[] {
  place(ev);
  const findings = suppress(dedupe(RULES.flatMap((r) => matchSafely(r.match.bind(r), ev))).map((f) => settleSeverity(f, ev)));
  const root = markRoot(findings, ev);
  if (root) linkConsequences(findings, root, ev);
  linkSharedEvidence(findings);
  return order(findings, root);
}

/**
 * Most specific first. The root cause is the first in this order among the error findings that
 * explain the root-cause step; the last three are generic and give way to any specific finding that
 * cites the same exchange.
 */
const SPECIFICITY: readonly string[] = [
  'TLS_SCHEME_MISMATCH',
  'TLS_CLIENT_CERT_EXPIRED',
  'TLS_CLIENT_CERT_REJECTED',
  'TLS_CLIENT_CERT_REQUIRED',
  'ROUTE_WRONG_BASE_URL',
  'ROUTE_REDIRECTED_TO_HTTPS',
  'ROUTE_REDIRECTED',
  'ROUTE_PREFIX_NOT_STRIPPED',
  'ROUTE_METHOD_REFUSED',
  'ROUTE_ARTIFACTS_MISROUTED',
  'MLFLOW_ARTIFACTS_NOT_SERVED',
  'MLFLOW_AUTH_REJECTED',
  'MLFLOW_AUTH_REQUIRED',
  'MLFLOW_PERMISSION_DENIED',
  'GATEWAY_LOGIN_REQUIRED',
  'GATEWAY_FORBIDDEN',
  'AUTH_SERVICE_ID_MISMATCH',
  'AUTH_HEADER_STRIPPED',
  'AUTH_ADMIN_REQUIRED',
  'AUTH_SCOPE_MISSING',
  'GATEWAY_RATE_LIMITED',
  'AUTH_RATE_LIMITED',
  'ARTIFACT_TOO_LARGE',
  'GATEWAY_TIMEOUT',
  'GATEWAY_UPSTREAM_UNREACHABLE',
  'ROUTE_PROXY_NOT_MOUNTED',
  'GATEWAY_REFUSED',
  'MLFLOW_HOST_NOT_ALLOWED',
  'MLFLOW_BACKEND_ERROR',
  'ARTIFACT_STORAGE_DENIED',
  'MLFLOW_INTERNAL_ERROR',
  'ARTIFACT_CORRUPTED',
  'REGISTRY_FAILED',
  'RESPONSE_FOREIGN_OBJECT',
  'NET_PROXY_REFUSED',
  'NET_PROXY_UNREACHABLE',
  'TLS_EXPIRED',
  'TLS_UNTRUSTED',
  'TLS_HOSTNAME',
  'NET_DNS',
  'NET_REFUSED',
  'NET_TIMEOUT',
  'NET_TRANSFER_CUT',
  'NET_RESET',
  'DEADLINE_EXCEEDED',
  'AUTH_SERVICE_DOWN',
  'AUTH_KEY_INVALID',
  'HEALTH_DEGRADED',
  'ARTIFACT_ROOT_BYPASSES_PROXY',
  'PROXY_DROPS_DELETE_BODY',
  'AUTH_CACHE_MASKING',
  'CLEANUP_LEFTOVERS',
  'RESPONSE_MALFORMED',
  'RESPONSE_SCHEMA',
  'RESPONSE_NOT_JSON',
  'UNEXPECTED_RESPONSE',
];

const GENERIC = new Set(['RESPONSE_MALFORMED', 'RESPONSE_SCHEMA', 'RESPONSE_NOT_JSON', 'UNEXPECTED_RESPONSE']);

/** Root-cause families whose fault also makes the API report mlflow unhealthy. */
const MLFLOW_SIDE = new Set(['routing', 'mlflow', 'gateway']);

/** Places every answer of the check on the path (fingerprint.ts) and records it beside the exchanges. */
export function place(ev: Evidence): void {
  const authOrigin = originOf(ev.target.authUrl);
  const mlflowOrigins = [ev.target.kind === 'mlflow' ? ev.target.mlflowUrl : undefined, ev.target.mlflowDirectUrl].flatMap(
    (u) => originOf(u) ?? [],
  );
  for (const [x, fp] of fingerprintAll(ev.exchanges, { ...(authOrigin ? { authOrigin } : {}), mlflowOrigins })) annotate(x, fp);
}

/** A rule that throws is a bug in the rule; it must not cost the user the other findings. */
function matchSafely(match: (ev: Evidence) => Finding[], ev: Evidence): Finding[] {
  try {
    return match(ev);
  } catch {
    return [];
  }
}

/** An error finding on a step that passed or warned only adds context: it is a warning there. */
function settleSeverity(f: Finding, ev: Evidence): Finding {
  const status = ev.steps.find((s) => s.id === f.step)?.status;
  if (f.severity === 'error' && (status === 'pass' || status === 'warn')) f.severity = 'warn';
  return f;
}

/** One finding per code and step; evidence merged. */
function dedupe(findings: Finding[]): Finding[] {
  const byKey = new Map<string, Finding>();
  for (const f of findings) {
    const key = `${f.code} ${f.step}`;
    const seen = byKey.get(key);
    if (!seen) {
      byKey.set(key, { ...f, evidence: [...f.evidence], fix: [...f.fix] });
      continue;
    }
    seen.evidence = [...new Set([...seen.evidence, ...f.evidence])];
    if (f.severity === 'error') seen.severity = 'error';
  }
  return [...byKey.values()];
}

function suppress(findings: Finding[]): Finding[] {
  const specificEvidence = new Set(findings.filter((f) => !GENERIC.has(f.code)).flatMap((f) => f.evidence));
  const kept = findings.filter((f) => !GENERIC.has(f.code) || !f.evidence.some((id) => specificEvidence.has(id)));
  // The fallback speaks only for a step nothing else explains.
  return kept
    .filter((f) => {
      if (f.code !== 'UNEXPECTED_RESPONSE') return true;
      return !kept.some(
        (g) => g !== f && ((g.step === f.step && g.severity === 'error') || g.evidence.some((id) => f.evidence.includes(id))),
      );
    })
    .filter((f) => {
      // A degraded health answer that a specific finding on the same step already explains says nothing new.
      if (f.code !== 'HEALTH_DEGRADED') return true;
      return !kept.some((g) => g !== f && g.step === f.step && g.severity === 'error' && g.evidence.some((id) => f.evidence.includes(id)));
    });
}

/**
 * The most specific error finding that explains the root-cause step: one on that step, or one
 * that cites that step's exchanges (an MLflow-side fault often shows first in the API's own MLflow
 * health check, and the finding that names it is the one to act on).
 */
function markRoot(findings: Finding[], ev: Evidence): Finding | undefined {
  const step = rootStepOf(ev);
  const stepExchanges = new Set(ev.exchanges.filter((x) => x.step === step).map((x) => x.id));
  const explains = (f: Finding) => f.step === step || f.evidence.some((id) => stepExchanges.has(id));
  // Equally specific: the finding on the root step itself before one that only cites its exchanges.
  const onStep = (f: Finding) => Number(f.step !== step);
  const root = step
    ? findings.filter((f) => f.severity === 'error' && explains(f)).sort((a, b) => rank(a) - rank(b) || onStep(a) - onStep(b))[0]
    : undefined;
  // Explicit on every finding, so no reader has to guess from the step.
  for (const f of findings) f.rootCause = f === root;
  return root;
}

/** HEALTH_DEGRADED naming mlflow is the same fault as an MLflow-side root cause: say so. */
function linkConsequences(findings: Finding[], root: Finding, ev: Evidence): void {
  const family = ruleFor(root.code)?.meta.family;
  if (!family || !MLFLOW_SIDE.has(family)) return;
  for (const f of findings) {
    if (f === root || f.code !== 'HEALTH_DEGRADED') continue;
    const mlflowUnhealthy = ev.exchanges
      .filter((x) => f.evidence.includes(x.id))
      .some((x) => degradedComponents(x).some((c) => /mlflow/i.test(c.name)));
    if (!mlflowUnhealthy) continue;
    f.cause = `${f.cause.replace(/\.$/, '')} — the same problem as the root cause ${root.code} (${root.title}).`;
    relate(f, root);
  }
}

/** Findings that cite the same exchange explain the same failure from two sides. */
function linkSharedEvidence(findings: Finding[]): void {
  for (const a of findings) {
    for (const b of findings) {
      if (a !== b && a.code !== b.code && a.evidence.some((id) => b.evidence.includes(id))) relate(a, b);
    }
  }
}

function relate(a: Finding, b: Finding): void {
  a.related = [...new Set([...(a.related ?? []), b.code])];
  b.related = [...new Set([...(b.related ?? []), a.code])];
}

/** Root cause first, then by step in DAG order, errors before warnings, specific before generic. */
function order(findings: Finding[], root: Finding | undefined): Finding[] {
  const stepIndex = (f: Finding) => STEP_IDS.indexOf(f.step);
  return [...findings].sort(
    (a, b) =>
      Number(b === root) - Number(a === root) ||
      stepIndex(a) - stepIndex(b) ||
      Number(a.severity === 'warn') - Number(b.severity === 'warn') ||
      rank(a) - rank(b),
  );
}

function rank(f: Finding): number {
  const i = SPECIFICITY.indexOf(f.code);
  return i === -1 ? SPECIFICITY.length : i;
}
