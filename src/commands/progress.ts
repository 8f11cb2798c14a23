// Live progress on a terminal: one ora spinner naming the running steps, and a persisted line per
// finished step. Outside a TTY, or with CI set, nothing (the matrix says it all).
import type { Io } from '../io.js';
import { STATUS_SYMBOL } from '../report/status-symbols.js';
import type { Progress, StepId } from '../steps/types.js';

export interface ProgressBoard {
  forTarget(name: string): Progress;
  stop(): void;
}

const NOOP: Progress = { start() {}, update() {}, end() {} };

export function createProgress(io: Io, showTarget: boolean): ProgressBoard {
  if (!io.interactive) return { forTarget: () => NOOP, stop() {} };
  const running = new Map<string, { text: string; started: number }>();
  // ora is loaded lazily: only a TTY run needs it.
  let spinner: { text: string; start(): unknown; stop(): unknown; stopAndPersist(o: { symbol: string; text: string }): unknown; isSpinning: boolean } | undefined;
  let stopped = false;
  const ready = import('ora').then(({ default: ora }) => {
    if (stopped) return;
    spinner = ora({ stream: io.stdoutStream, color: 'cyan', isEnabled: true, discardStdin: false });
    refresh();
  });
  void ready;

  const refresh = () => {
    if (!spinner || stopped) return;
    if (running.size === 0) {
      if (spinner.isSpinning) spinner.stop();
      return;
    }
    spinner.text = [...running.entries()].map(([k, v]) => (v.text ? `${k}: ${v.text}` : k)).join('  ·  ');
    if (!spinner.isSpinning) spinner.start();
  };

  return {
    forTarget(name) {
      const key = (step: StepId) => (showTarget ? `${name}/${step}` : step);
      return {
        start(step) {
          running.set(key(step), { text: '', started: Date.now() });
          refresh();
        },
        update(step, text) {
          const entry = running.get(key(step));
          if (entry) entry.text = text;
          refresh();
        },
        end(step, status, text) {
          const entry = running.get(key(step));
          running.delete(key(step));
          const ms = entry ? Date.now() - entry.started : 0;
          const line = `${key(step)} ${status} ${ms}ms  ${text}`;
          // Steps that end before ora has loaded still get their line.
          if (spinner && !stopped) spinner.stopAndPersist({ symbol: STATUS_SYMBOL[status], text: line });
          else if (!stopped) io.out(`${STATUS_SYMBOL[status]} ${line}\n`);
          refresh();
        },
      };
    },
    stop() {
      stopped = true;
      if (spinner?.isSpinning) spinner.stop();
    },
  };
}
