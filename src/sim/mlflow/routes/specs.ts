// Proto message shapes shared by the route modules (just what request parsing needs).
import type { FieldSpec } from '../request-message.js';

export const TAGS: FieldSpec = { type: 'message[]', fields: { key: 'string', value: 'string' } };
export const METRICS: FieldSpec = { type: 'message[]', fields: { key: 'string', value: 'double', timestamp: 'int', step: 'int' } };
export const VIEW_TYPE: FieldSpec = { type: 'enum', values: { ACTIVE_ONLY: 1, DELETED_ONLY: 2, ALL: 3 } };
export const RUN_STATUS: FieldSpec = { type: 'enum', values: { RUNNING: 1, SCHEDULED: 2, FINISHED: 3, FAILED: 4, KILLED: 5 } };

export type KV = { key: string; value: string };

/** Tag/param messages as the store takes them (proto defaults for absent fields). */
export function kvList(v: unknown): KV[] {
  return Array.isArray(v) ? v.map((t: Record<string, unknown>) => ({ key: scalarText(t.key), value: scalarText(t.value) })) : [];
}

export function str(v: unknown): string {
  return typeof v === 'string' ? v : '';
}

/** A proto string field's value: '' when absent, the JSON of anything that is not a scalar. */
function scalarText(v: unknown): string {
  if (v === undefined || v === null) return '';
  return typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' ? String(v) : JSON.stringify(v);
}
