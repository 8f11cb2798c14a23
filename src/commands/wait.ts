// --wait: before the check, poll health (and auth) with exponential backoff and jitter until both
// answer 2xx or the duration ends; then the check runs and reports what it sees.
import type { Clock } from '../factory.js';
import type { Http } from '../http/types.js';
import type { Target } from '../steps/types.js';
import { LABEL } from '../steps/labels.js';

export async function waitUntilReady(
  target: Target,
  http: Http,
  waitMs: number,
  signal: AbortSignal,
  say: (line: string) => void,
  clock: Clock,
): Promise<boolean> {
  const until = clock.now() + waitMs;
  const urls =
    target.kind === 'mlflow'
      ? [`${target.mlflowUrl}/health`]
      : [`${target.registryUrl}/health`, ...(target.authUrl ? [`${target.authUrl}/health`] : [])];
  let delay = 250;
  let polls = 0;
  while (!signal.aborted) {
    polls++;
    const answers = await Promise.all(
      urls.map((url) =>
        http.send({
          step: 'wait',
          label: 'wait: GET /health',
          method: 'GET',
          url,
          withKey: false,
          timeoutMs: Math.min(5000, Math.max(500, until - clock.now())),
        }),
      ),
    );
    const ready = answers.every((a) => a.status !== undefined && a.status >= 200 && a.status < 300);
    const seen = answers
      .map((a, i) => `${urls[i] === undefined ? '' : shortName(urls[i], target)} ${a.status ?? a.exchange.error?.kind ?? 'no answer'}`)
      .join(', ');
    if (ready) {
      say(`hokus-check: ${target.name}: wait: poll ${polls}: ${seen} — ready${polls > 1 ? ` after ${polls} polls` : ''}`);
      return true;
    }
    const left = until - clock.now();
    if (left <= 0) {
      say(
        `hokus-check: ${target.name}: wait: poll ${polls}: ${seen} — not ready after ${Math.round(waitMs / 1000)}s of waiting; checking anyway`,
      );
      return false;
    }
    const pause = Math.min(left, delay / 2 + clock.random() * (delay / 2));
    say(`hokus-check: ${target.name}: wait: poll ${polls}: ${seen} — ${seconds(left)} left, next poll in ${seconds(pause)}`);
    await clock.sleep(pause, signal);
    delay = Math.min(delay * 2, 5000);
  }
  return false;
}

/** `registry /health` or `auth /health`: which service a poll went to. */
function shortName(url: string, target: Target): string {
  if (target.authUrl !== undefined && url.startsWith(target.authUrl)) return LABEL.authHealth;
  return target.kind === 'mlflow' ? 'mlflow /health' : 'registry /health';
}

function seconds(ms: number): string {
  return ms >= 60_000
    ? `${Math.floor(ms / 60_000)}m${String(Math.round((ms % 60_000) / 1000)).padStart(2, '0')}s`
    : `${(ms / 1000).toFixed(1)}s`;
}
