// The terminal a command talks to (gh's IOStreams): output streams, whether it is interactive, colour,
// stdin and Ctrl-C. Built from the process once, by src/cli.ts; tests build one over strings
// (test/helpers/in-process.ts). Nothing below the CLI reads process.* itself, so commands run the same
// in-process and spawned. An Io never ends the process: commands return their exit code.
export interface Io {
  // Properties, not methods: a command hands `io.out` or `io.err` on as a function of its own.
  out: (text: string) => void;
  err: (text: string) => void;
  /** stdout is a terminal and CI is not set: spinners and live progress allowed. */
  interactive: boolean;
  color: boolean;
  /** Reads stdin (for --api-key-stdin): all of it, or past `limit` bytes stops (the text is then longer than limit). */
  readStdin: (limit?: number) => Promise<string>;
  /** stdout: its width (`columns`) sets the matrix's. */
  stdoutStream: NodeJS.WriteStream;
  /** Where live progress (the spinner) is drawn; absent: no progress. */
  stderrStream?: NodeJS.WriteStream;
  /** The terminal type (TERM) the terminal declares: the spinner draws only on a known, non-dumb one. */
  term?: string | undefined;
  /**
   * Registers handlers for the signals that end a run — Ctrl-C (SIGINT), SIGTERM (a CI runner's
   * cancel, `kill`), SIGHUP (a closed SSH session or terminal), SIGQUIT (Ctrl-\\) — so that each
   * cleans up instead of killing the process; returns a function that removes them.
   */
  onSignal: (handler: (signal: EndSignal) => void) => () => void;
}

/** The signals a command turns into "stop and clean up". */
export const END_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT'] as const;
export type EndSignal = (typeof END_SIGNALS)[number];

/** Whether output may be live and coloured, from the environment and whether stdout is a terminal. */
export function terminalCaps(env: Readonly<Record<string, string | undefined>>, isTTY: boolean): { interactive: boolean; color: boolean } {
  const ci = Boolean(env.CI) && env.CI !== 'false' && env.CI !== '0';
  const color = isTTY && !('NO_COLOR' in env && env.NO_COLOR !== '') && env.TERM !== 'dumb';
  return { interactive: isTTY && !ci, color: color || env.FORCE_COLOR === '1' };
}

/** The same Io without colour (--no-color). */
export function withoutColor(io: Io): Io {
  return io.color ? { ...io, color: false } : io;
}

export function processIo(): Io {
  const caps = terminalCaps(process.env, Boolean(process.stdout.isTTY));
  // `hokus-check … | head` closes the pipe early, a closed SSH session takes the terminal away (EIO):
  // the reader's choice, not a crash. Later writes to that stream are dropped; the command still
  // finishes (and cleans up) and returns its code.
  const closed = new Set<NodeJS.WriteStream>();
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code !== 'EPIPE' && err.code !== 'EIO') throw err;
      closed.add(stream);
    });
  }
  const write = (stream: NodeJS.WriteStream) => (t: string) => void (closed.has(stream) || stream.write(t));
  return {
    out: write(process.stdout),
    err: write(process.stderr),
    ...caps,
    stdoutStream: process.stdout,
    stderrStream: process.stderr,
    term: process.env.TERM,
    readStdin: async (limit = Infinity) => {
      const chunks: Buffer[] = [];
      let size = 0;
      for await (const c of process.stdin) {
        chunks.push(c as Buffer);
        size += (c as Buffer).length;
        if (size > limit) {
          process.stdin.destroy();
          break;
        }
      }
      return Buffer.concat(chunks).toString('utf8');
    },
    onSignal(handler) {
      const listeners = END_SIGNALS.map((sig) => [sig, () => handler(sig)] as const);
      for (const [sig, listener] of listeners) process.on(sig, listener);
      return () => {
        for (const [sig, listener] of listeners) process.off(sig, listener);
      };
    },
  };
}
