// The health vocabulary: which states in a health answer (`status`, or a `services` entry) mean "not
// healthy". One list, read by the health step (its matrix line) and the HEALTH_DEGRADED rule.
export const UNHEALTHY_STATE = /^(unhealthy|degraded|down|error|failed|failing|unavailable)$/i;

/** 'unhealthy', 'Down', 'failed', … → true; 'ok', 'healthy', 'starting' → false. */
export function isUnhealthyState(state: unknown): boolean {
  return typeof state === 'string' && UNHEALTHY_STATE.test(state);
}
