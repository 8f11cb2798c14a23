// --wait: before the check, poll health (and auth) with exponential backoff and jitter until both
// answer 2xx or the duration ends; then the check runs and reports what it sees.
import type { Clock } from '../factory.js';
import type { Http } from '../http/types.js';
import type { Target } from '../steps/types.js';

export async function waitUntilReady(target: Target, http: Http, waitMs: number, signal: AbortSignal, say: (line: string) => void, clock: Clock): Promise<boolean> {
  const until = clock.now() + waitMs;
  const urls = target.kind === 'mlflow' ? [`${target.mlflowUrl}/health`] : [`${target.registryUrl}/health`, ...(target.authUrl ? [`${target.authUrl}/health`] : [])];
  let delay = 250;
  let polls = 0;
  while (!signal.aborted) {
    polls++;
    const answers = await Promise.all(
      urls.map((url) => http.send({ step: 'wait', label: 'wait: GET /health', method: 'GET', url, withKey: false, timeoutMs: Math.min(5000, Math.max(500, until - clock.now())) })),
    );
    const ready = answers.every((a) => a.status !== undefined && a.status >= 200 && a.status < 300);
    if (ready) {
      if (polls > 1) say(`hokus-check: ${target.name}: ready after ${polls} polls`);
      return true;
    }
    const left = until - clock.now();
    if (left <= 0) {
      say(`hokus-check: ${target.name}: not ready after ${Math.round(waitMs / 1000)}s of waiting; checking anyway`);
      return false;
    }
    await clock.sleep(Math.min(left, delay / 2 + clock.random() * (delay / 2)), signal);
    delay = Math.min(delay * 2, 5000);
  }
  return false;
}
