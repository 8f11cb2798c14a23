// Probe `auth-health`: after validate answered 5xx, HTML or nothing, ask the auth service's own
// /health (without the key) whether it is up at all (AUTH_SERVICE_DOWN).
import type { StepContext } from '../../steps/types.js';
import { sendQuietly, trimSlash } from './send-quietly.js';

export async function probeAuthHealth(ctx: StepContext): Promise<void> {
  const authUrl = ctx.target.authUrl;
  if (!authUrl) return;
  await sendQuietly(ctx, {
    step: 'auth',
    probe: 'auth-health',
    label: 'auth /health',
    method: 'GET',
    url: `${trimSlash(authUrl)}/health`,
    withKey: false,
  });
}
