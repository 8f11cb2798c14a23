// Shapes of the diagnosis engine: evidence in, findings out (ESLint-rule style, see STYLE.md).
import type { Exchange } from '../http/types.js';
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

export interface RuleMeta {
  code: string;
  family: Family;
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
export interface Evidence {
  target: Target;
  steps: readonly StepResult[];
  /** All exchanges, fingerprinted (responder/chain set), probes included. */
  exchanges: readonly Exchange[];
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
