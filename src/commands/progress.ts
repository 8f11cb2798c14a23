// Live progress on a terminal: one ora spinner naming the running steps, and a persisted line per
// finished step, all on stderr (stdout stays the report's: `--json -` on a terminal still parses).
// The spinner runs only where it is safe to redraw: stderr a TTY of known width >= 20 columns, TERM
// set and not `dumb`, CI not set. A 0-column terminal (`script` without a size, `docker run -t`)
// would make every redraw a division by zero. Elsewhere on a TTY: plain lines. Off a TTY (CI logs,
// pipes): one timestamped line per finished step, so a CI log shows progress before the report;
// --quiet turns that off.
// Step text is redacted and made single-line and inert before it is shown; under the spinner each
// line is cut to the terminal's width (report/columns.ts), so a long detail never wraps mid-word and
// the matrix below, which has the whole detail, stays the place to read it.
import { inertLine } from '../http/inert.js';
import { createRedactor, type Redactor } from '../http/redact.js';
import type { Io } from '../io.js';
import { cut } from '../report/columns.js';
import { STATUS_SYMBOL } from '../report/status-symbols.js';
import { defuseCommands } from '../report/safe-output.js';
import type { Progress, StepId } from '../steps/types.js';

export interface ProgressBoard {
  forTarget(name: string): Progress;
  stop(): void;
}

const NOOP: Progress = { start() {}, update() {}, end() {} };

/** Narrowest terminal the spinner draws on. */
export const MIN_SPINNER_COLUMNS = 20;

export type ProgressMode = 'spinner' | 'lines' | 'off';

/** How progress is shown on this Io: a spinner, plain lines, or nothing. */
export function progressMode(io: Io): ProgressMode {
  const stream = io.stderrStream;
  if (!io.interactive || !stream?.isTTY) return 'off';
  const columns = stream.columns;
  const term = io.term;
  const drawable = Number.isInteger(columns) && columns >= MIN_SPINNER_COLUMNS && term !== undefined && term !== '' && term !== 'dumb';
  return drawable ? 'spinner' : 'lines';
}

export function createProgress(
  io: Io,
  showTarget: boolean,
  redact: Redactor = createRedactor([]),
  opts: { quiet?: boolean; now?: () => number } = {},
): ProgressBoard {
  const mode = progressMode(io);
  if (opts.quiet) return { forTarget: () => NOOP, stop() {} };
  // Off a terminal: a log line per finished step, stamped with the UTC time.
  const stamp = mode === 'off' ? (ms: number) => `${new Date(ms).toISOString().slice(11, 19)}Z ` : () => '';
  const now = opts.now ?? Date.now;
  const clean = (text: string) => defuseCommands(inertLine(redact(text)));
  // The spinner's symbol and a space take two columns; read at each line, so a resize counts.
  const fit = (text: string) => (mode === 'spinner' ? cut(text, Math.max(MIN_SPINNER_COLUMNS, io.stderrStream?.columns ?? 80) - 2) : text);
  const running = new Map<string, { text: string; started: number }>();
  // ora is loaded lazily: only a TTY run needs it.
  let spinner:
    | { text: string; start(): unknown; stop(): unknown; stopAndPersist(o: { symbol: string; text: string }): unknown; isSpinning: boolean }
    | undefined;
  let stopped = false;
  if (mode === 'spinner') {
    void import('ora').then(({ default: ora }) => {
      if (stopped) return;
      spinner = ora({ stream: io.stderrStream!, color: io.color ? 'cyan' : false, isEnabled: true, discardStdin: false });
      refresh();
    });
  }

  const refresh = () => {
    if (!spinner || stopped) return;
    if (running.size === 0) {
      if (spinner.isSpinning) spinner.stop();
      return;
    }
    spinner.text = fit(clean([...running.entries()].map(([k, v]) => (v.text ? `${k}: ${v.text}` : k)).join('  ·  ')));
    if (!spinner.isSpinning) spinner.start();
  };

  return {
    forTarget(name) {
      const key = (step: StepId) => (showTarget ? `${name}/${step}` : step);
      return {
        start(step) {
          running.set(key(step), { text: '', started: now() });
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
          const ms = entry ? now() - entry.started : 0;
          const line = clean(`${key(step)} ${status} ${ms}ms  ${text}`);
          // Steps that end before ora has loaded (or with no spinner) still get their line.
          if (spinner && !stopped) spinner.stopAndPersist({ symbol: STATUS_SYMBOL[status], text: fit(line) });
          else if (!stopped) io.err(`${stamp(now())}${STATUS_SYMBOL[status]} ${fit(line)}\n`);
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
