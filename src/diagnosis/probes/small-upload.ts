// Probe `small-upload`: after the artifact PUT fails on the way — the connection closed or reset
// during the upload, or a 5xx — send a few bytes to the same directory through the same path. If
// that passes, the size is what differs (ARTIFACT_TOO_LARGE: a hop that resets or answers 5xx on a
// body over its limit instead of 413). The file lands in the check's own run and goes with it.
import type { HttpResult } from '../../http/types.js';
import type { StepContext } from '../../steps/types.js';
import { is2xx, sendQuietly } from './send-quietly.js';
import { PROBE } from './ids.js';

/** Bodies up to this size are the probe's own: an upload this small is never "too large". */
const SMALL = 64;

/** Whether the failed upload `put` of `size` bytes calls for the probe. */
export function wantsSmallUpload(put: HttpResult, size: number): boolean {
  if (size <= SMALL) return false;
  const kind = put.exchange.error?.kind;
  if (put.status === undefined) return kind === 'reset' || kind === 'cut' || kind === 'protocol' || kind === 'other';
  return put.status >= 500;
}

/** `base`: the artifact root URL the failed PUT used; `dir`: the check's directory in its run under it. */
export async function probeSmallUpload(ctx: StepContext, base: string, dir: string): Promise<void> {
  const body = `hokus-check ${ctx.state.checkId}: small upload\n`.slice(0, SMALL);
  const put = await sendQuietly(ctx, {
    step: 'artifact',
    probe: PROBE.smallUpload,
    label: 'probe: PUT a few bytes',
    method: 'PUT',
    url: `${base}/${dir}/small-probe-${ctx.state.checkId}.txt`,
    body,
    headers: { 'content-type': 'text/plain' },
  });
  const dirs = ctx.state.created.artifactDirs;
  if (is2xx(put) && !dirs.some((d) => d.base === base && d.path === dir)) dirs.push({ base, path: dir, withKey: true });
}
