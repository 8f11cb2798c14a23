// The diagnosis engine: fingerprints every exchange, runs every rule over the whole check's
// evidence, then decides what the reports say — duplicates merged, generic findings dropped when a
// specific one explains the same exchange, the root-cause finding marked and put first, and
// consequences linked to it.
import { STEP_IDS } from '../steps/types.js';
import { METAS, RULES, ruleFor } from './catalogue.js';
import { annotate, fingerprintAll, originOf } from './fingerprint.js';
import { degradedComponents } from './rules/health.js';
import { inertLine } from '../http/inert.js';
import { isFailure, rootStepOf } from './evidence-query.js';
import { report } from './finding.js';
import { ruleFailedMeta } from './rules/generic.js';
import { TIERS, type Evidence, type Finding, type Rule } from './types.js';

/**
 * Findings for one target's check, root cause first: `rootCause` is true on exactly one finding when
 * a step failed, false on all others. Who answered each exchange is annotated beside it
 * (fingerprint.ts, fingerprintOf); the exchanges themselves are not written to.
 */
export function diagnose(ev: Evidence, rules: readonly Rule[] = RULES): Finding[] {
  place(ev);
  const findings = suppress(dedupe(rules.flatMap((r) => matchSafely(r, ev))).map((f) => settleSeverity(f, ev)));
  const root = markRoot(findings, ev);
  if (root) linkConsequences(findings, root, ev);
  linkSharedEvidence(findings);
  return order(findings, root);
}

/** Every code, most specific first: by its rule's rank (types.ts TIERS). */
const SPECIFICITY: readonly string[] = [...METAS]
  .sort((x, y) => TIERS.indexOf(x.rank.tier) - TIERS.indexOf(y.rank.tier) || x.rank.order - y.rank.order)
  .map((m) => m.code);

/** The fallbacks, which give way to any specific finding that cites the same exchange. */
const GENERIC = new Set(METAS.filter((m) => m.rank.tier === 'generic').map((m) => m.code));

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

/**
 * A rule that throws is a bug in the rule; it must not cost the user the other findings, nor go
 * unseen: it becomes a DIAGNOSIS_RULE_FAILED warning naming the rule and its error.
 */
function matchSafely(r: Rule, ev: Evidence): Finding[] {
  try {
    return r.match(ev);
  } catch (err) {
    const why = inertLine(err instanceof Error ? err.message : String(err)).slice(0, 200);
    const step = ev.steps.find((s) => isFailure(s.status))?.id ?? 'cleanup';
    return [
      report(ruleFailedMeta, {
        step,
        cause: `The diagnosis rule for ${r.meta.code} failed on this check's evidence (${why}): a cause it looks for may be missing.`,
        evidence: [],
        fix: ['This is a bug in hokus-check: report it with the --json report (redacted) so the rule can be fixed.'],
      }),
    ];
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
