// Step `auth`: validate the API key at the auth service, the way the API service does it.
import { probeAuthHealth } from '../diagnosis/probes/auth-health.js';
import { probeAuthWithoutServiceId } from '../diagnosis/probes/auth-without-service-id.js';
import { probeRegistryAcceptsKey } from '../diagnosis/probes/registry-accepts-key.js';
import { probeTlsPort } from '../diagnosis/probes/tls-port.js';
import { describeFailure } from '../mlflow/client.js';
import type { Step, StepContext, StepOutcome } from './types.js';
import { LABEL } from './labels.js';

export const authStep: Step = {
  id: 'auth',
  dependsOn: [],
  async run(ctx: StepContext): Promise<StepOutcome> {
    const authUrl = ctx.target.authUrl;
    if (!authUrl) return { status: 'pass', detail: 'no auth URL' }; // the runner marks it skipped before this
    const result = await ctx.http.send({
      step: 'auth',
      label: LABEL.validate,
      method: 'POST',
      url: `${authUrl}/api/v1/keys/validate`,
      json: { service_id: ctx.target.serviceId },
    });
    const body = result.json as { is_valid?: unknown; key_id?: unknown; scopes?: unknown } | undefined;
    if (result.status === 200 && body?.is_valid === true) {
      if (typeof body.key_id === 'string') ctx.state.keyId = body.key_id;
      if (Array.isArray(body.scopes)) ctx.state.scopes = body.scopes.filter((s): s is string => typeof s === 'string');
      const scopes = ctx.state.scopes ? ` scopes ${ctx.state.scopes.join(',')}` : '';
      return { status: 'pass', detail: `key valid for ${ctx.target.serviceId}${scopes}` };
    }
    // Follow-up probes settle why: is it the service_id, or is the auth service itself down?
    const down = result.status === undefined || result.status >= 500 || result.json === undefined;
    if (result.status === 401) await probeAuthWithoutServiceId(ctx);
    else if (down) {
      await probeTlsPort(ctx, result, 'auth');
      await probeAuthHealth(ctx);
    }
    if ((result.status === 401 || down) && !ctx.signal.aborted) await probeRegistryAcceptsKey(ctx);

    if (result.status === 200) return { status: 'fail', detail: '200 but is_valid is not true' };
    const failure = describeFailure(result) ?? { kind: 'fail' as const, reason: `${result.status}` };
    return { status: failure.kind, detail: failure.reason };
  },
};
