// --verbose: one line per exchange as it finishes (already redacted by the HTTP layer; the line is
// made single-line and inert again here, and the writer's last pass redacts it once more).
import { inertLine } from '../http/inert.js';
import type { Exchange } from '../http/types.js';

export function formatExchangeLine(x: Exchange, target: string, showTarget: boolean): string {
  const who = showTarget ? `[${target}] ` : '';
  const probe = x.probe ? ` probe:${x.probe}` : '';
  const retry = x.attempt > 1 ? ` (try ${x.attempt})` : '';
  const outcome = x.response
    ? `${x.response.status} ${x.response.contentType ?? ''} ${x.response.bodySize}B`.trim()
    : `${x.error?.kind ?? 'no response'}: ${x.error?.message ?? ''}`;
  const ms = x.timings.total >= 0 ? ` ${Math.round(x.timings.total)}ms` : '';
  return inertLine(
    `${who}${x.id} ${x.step}${probe} ${x.request.method} ${x.request.url}${retry} → ${outcome}${ms}${x.retried ? ' (retrying)' : ''}`,
  );
}
