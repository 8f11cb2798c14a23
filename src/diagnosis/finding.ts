// Builds a Finding from a rule's meta, the way ESLint's context.report fills a message from a rule.
import type { StepId } from '../steps/types.js';
import type { Finding, Rule, RuleMeta } from './types.js';

export interface FindingParts {
  step: StepId;
  cause: string;
  evidence: Array<string | undefined>;
  fix: string[];
  /** Defaults to the rule's severity (some rules escalate a warning when the step failed). */
  severity?: 'error' | 'warn';
  related?: string[];
}

export function report(meta: RuleMeta, parts: FindingParts): Finding {
  const evidence = [...new Set(parts.evidence.filter((id): id is string => id !== undefined))];
  const f: Finding = {
    code: meta.code,
    title: meta.title,
    severity: parts.severity ?? meta.severity,
    step: parts.step,
    cause: parts.cause,
    evidence,
    fix: parts.fix,
  };
  if (parts.related && parts.related.length > 0) f.related = parts.related;
  return f;
}

/** Declares a rule with its meta and match, so each family file reads as a list of rules. */
export function rule(meta: RuleMeta, match: Rule['match']): Rule {
  return { meta, match };
}
