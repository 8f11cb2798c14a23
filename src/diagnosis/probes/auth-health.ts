// Probe `auth-health`: after validate answered 5xx, HTML or nothing, ask the auth service's own
// /health (without the key) whether it is up at all (AUTH_SERVICE_DOWN).
import type { StepContext } from '../../steps/types.js';
import { sendQuietly, trimSlash } from './send-quietly.js';
import { LABEL } from '../../steps/labels.js';
import { PROBE } from './ids.js';

export async function probeAuthHealth(ctx: StepContext): Promise<void> {
  const authUrl = ctx.target.authUrl;
  if (!authUrl) return;
  await sendQuietly(ctx, {
    step: 'auth',
    probe: PROBE.authHealth,
    label: LABEL.authHealth,
    method: 'GET',
    url: `${trimSlash(authUrl)}/health`,
    withKey: false,
  });
}
