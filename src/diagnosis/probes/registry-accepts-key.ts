// Probe `registry-accepts-key`: after the auth service rejected the key (or was down), one read-only
// call through the registry tells whether the API still accepts it from its validation cache
// (AUTH_CACHE_MASKING) — the failure that surfaces minutes later, when the cache expires.
import type { StepContext } from '../../steps/types.js';
import { sendQuietly } from './send-quietly.js';
import { PROBE } from './ids.js';

export async function probeRegistryAcceptsKey(ctx: StepContext): Promise<void> {
  if (ctx.target.kind !== 'hokusai' || !ctx.target.registryUrl) return;
  await sendQuietly(ctx, {
    step: 'auth',
    probe: PROBE.registryAcceptsKey,
    label: 'probe: experiments/search',
    method: 'GET',
    url: `${ctx.mlflowBase}/api/2.0/mlflow/experiments/search`,
    query: { max_results: 1 },
  });
}
