// What a target is called in a matrix column: its environment name, or — for a target given by
// flags, which is named 'default' — the host it points at.
import type { ReportTarget } from './schema.js';

export function targetTitle(t: Pick<ReportTarget, 'name' | 'registryUrl' | 'mlflowUrl'>): string {
  if (t.name !== 'default') return t.name;
  const url = t.registryUrl ?? t.mlflowUrl;
  try {
    return url === undefined ? t.name : new URL(url).host;
  } catch {
    return t.name;
  }
}
