// How probes talk to the network: through the check's Http (so the rules see every probe as an
// exchange), never after an abort, and never throwing — a probe gathers evidence, it cannot fail.
import type { HttpResult } from '../../http/types.js';
import type { StepContext, StepRequest } from '../../steps/types.js';

export async function sendQuietly(ctx: StepContext, spec: StepRequest): Promise<HttpResult | undefined> {
  if (ctx.signal.aborted) return undefined;
  try {
    // One try: a probe gathers evidence during an outage, it should not triple its length.
    return await ctx.http.send({ retries: 0, ...spec });
  } catch {
    return undefined;
  }
}

export function is2xx(result: HttpResult | undefined): boolean {
  return result?.status !== undefined && result.status >= 200 && result.status < 300;
}

export function trimSlash(url: string): string {
  return url.replace(/\/+$/, '');
}
