// Shapes of the diagnosis engine: evidence in, findings out (ESLint's rule shape: meta, then match).
import type { Exchange } from '../http/types.js';
import type { ProbeId } from './probes/ids.js';
import type { CheckState, StepId, StepResult, Target } from '../steps/types.js';

export type Family =
  'network' | 'tls' | 'auth' | 'routing' | 'gateway' | 'mlflow' | 'registry' | 'artifact' | 'response' | 'health' | 'generic';

export interface RuleDocs {
  /** What the code means, in plain words. */
  means: string;
  /** What evidence triggers it. */
  detect: string;
  /** How to fix it. */
  fix: string;
  /** How to confirm the fix. */
  confirm: string;
}

/**
 * How specific a code is, most specific first: the engine orders findings by it (engine.ts) — the
 * root cause is the first error finding in this order that explains the root-cause step, and the
 * 'generic' tier gives way to any other finding citing the same exchange. Each rule states its rank
 * in its own metadata; test/unit/diagnosis/ranks.test.ts checks every rank is taken once.
 */
export const TIERS = [
  /** https:// to a plain-HTTP port (or the reverse): nothing behind it can be judged. */
  'scheme',
  /** A client certificate refused: the TLS handshake never let a request through. */
  'client-cert',
  /** A route of the deployment sends the request to the wrong place. */
  'route',
  /** The service's own login or permission (MLflow's basic-auth app). */
  'service-auth',
  /** A hop's own login wall or access rule in front. */
  'hop-policy',
  /** The key: its service, its header, its scopes. */
  'key',
  /** A rate or size limit. */
  'limit',
  /** A hop cannot reach, or waited too long for, what is behind it. */
  'upstream',
  /** The service behind answered and failed the call. */
  'service',
  /** The connection itself: proxy, TLS trust, DNS, refused, timed out, cut, reset. */
  'transport',
  /** The check ran out of time: says when, not why. */
  'deadline',
  /** The auth service down, or the key refused without a more specific reason. */
  'auth-service',
  /** Context: a degraded component, a risky setting, what cleanup left. */
  'context',
  /** The fallbacks: an answer no specific rule explains. */
  'generic',
] as const;

export type Tier = (typeof TIERS)[number];

/** A code's place: its tier, then its order within the tier (1 first). */
export interface Rank {
  tier: Tier;
  order: number;
}

export interface RuleMeta {
  code: string;
  family: Family;
  rank: Rank;
  title: string;
  /** 'error' findings explain a fail/error; 'warn' findings explain a warn or add context. */
  severity: 'error' | 'warn';
  docs: RuleDocs;
}

export interface Finding {
  code: string;
  title: string;
  severity: 'error' | 'warn';
  /** The step whose outcome it explains. */
  step: StepId;
  /** One sentence that names the broken hop. */
  cause: string;
  /** Exchange ids that prove it (may span several steps). */
  evidence: string[];
  fix: string[];
  /** Set by the engine: this finding explains the root-cause step. */
  rootCause?: boolean;
  /** Codes of other findings that are consequences of this one, or that this one is a consequence of. */
  related?: string[];
}

/** Everything the rules may look at: read-only, the whole check at once. */
/**
 * An exchange of the check: made by one of its steps, or by a probe on a step's behalf. The HTTP
 * client records steps and probes as plain strings; evidence-query.ts `checkExchanges` proves them
 * once, where the evidence is built, so no rule casts.
 */
export interface CheckExchange extends Exchange {
  step: StepId;
  probe?: ProbeId;
}

export interface Evidence {
  target: Target;
  steps: readonly StepResult[];
  /** All exchanges, fingerprinted (responder/chain set), probes included. */
  exchanges: readonly CheckExchange[];
  state: CheckState;
  /** Was the key trimmed of surrounding whitespace? */
  keyHadWhitespace: boolean;
  /** How the check authenticated, when it sent credentials (no secret): for fixes that name the variables and the user. */
  credentials?: SentCredentials;
}

/** The credentials a check sent, named: the scheme, where they came from, the Basic user name. */
export interface SentCredentials {
  scheme: 'basic' | 'bearer';
  /** 'HOKUSAI_API_KEY', 'MLFLOW_TRACKING_TOKEN', 'MLFLOW_TRACKING_USERNAME/MLFLOW_TRACKING_PASSWORD', 'stdin'. */
  from: string;
  /** Basic only. */
  username?: string;
}

export interface Rule {
  meta: RuleMeta;
  /** Pure: no I/O, no clock, no printing. */
  match(evidence: Evidence): Finding[];
}
