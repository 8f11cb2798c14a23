// Probe `auth-without-service-id`: after a 401, validate the same key without a service_id. 200 here
// means the key is fine but registered for another service (AUTH_SERVICE_ID_MISMATCH).
import type { StepContext } from '../../steps/types.js';
import { sendQuietly, trimSlash } from './send-quietly.js';
import { LABEL } from '../../steps/labels.js';
import { PROBE } from './ids.js';

export async function probeAuthWithoutServiceId(ctx: StepContext): Promise<void> {
  const authUrl = ctx.target.authUrl;
  if (!authUrl) return;
  await sendQuietly(ctx, {
    step: 'auth',
    probe: PROBE.authWithoutServiceId,
    label: LABEL.validateWithoutServiceId,
    method: 'POST',
    url: `${trimSlash(authUrl)}/api/v1/keys/validate`,
    json: {},
  });
}
