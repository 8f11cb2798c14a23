// Probe `tls-port` (health and auth steps): an http:// URL whose port closed the connection without an answer may be a TLS
// port (HAProxy, Node, uvicorn and load balancers hang up on plain HTTP sent to TLS). One GET of
// the same path over https://, without the key, tells: any answer, or a certificate the check does
// not trust, means the port speaks TLS (TLS_SCHEME_MISMATCH).
import type { HttpResult } from '../../http/types.js';
import type { StepContext } from '../../steps/types.js';
import { hungUp } from '../evidence-query.js';
import { sendQuietly } from './send-quietly.js';
import { PROBE } from './ids.js';

export async function probeTlsPort(ctx: StepContext, failed: HttpResult, step: 'health' | 'auth'): Promise<void> {
  const x = failed.exchange;
  if (failed.status !== undefined || !hungUp(x)) return;
  let url: URL;
  try {
    url = new URL(x.request.url);
  } catch {
    return;
  }
  if (url.protocol !== 'http:') return;
  // The port is what is asked about: http's default 80 stays 80 over https.
  const port = url.port || '80';
  url.protocol = 'https:';
  url.port = port;
  await sendQuietly(ctx, { step, probe: PROBE.tlsPort, label: 'same port over TLS', method: 'GET', url: url.href, withKey: false });
}
