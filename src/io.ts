// The process's streams and environment, read once in cli.ts and passed down (gh's IOStreams idea):
// nothing below the CLI reads process.* itself, so commands run the same in-process and spawned.
export interface Io {
  out(text: string): void;
  err(text: string): void;
  /** stdout is a terminal and CI is not set: spinners and live progress allowed. */
  interactive: boolean;
  color: boolean;
  env: Record<string, string | undefined>;
  cwd: string;
  /** Reads stdin (for --api-key-stdin): all of it, or past `limit` bytes stops (the text is then longer than limit). */
  readStdin(limit?: number): Promise<string>;
  stdoutStream: NodeJS.WriteStream;
  /** Where live progress (the spinner) is drawn; absent: no progress. */
  stderrStream?: NodeJS.WriteStream;
  /** Registers Ctrl-C / SIGTERM handlers; returns a function that removes them. */
  onSignal(handler: (signal: 'SIGINT' | 'SIGTERM') => void): () => void;
  exit(code: number): never;
}

export function processIo(opts: { noColor?: boolean } = {}): Io {
  const env = process.env;
  const isTTY = Boolean(process.stdout.isTTY);
  const ci = Boolean(env.CI) && env.CI !== 'false' && env.CI !== '0';
  // `hokus-check … | head` closes the pipe early: that is the reader's choice, not a crash.
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
      throw err;
    });
  }
  const color = isTTY && !opts.noColor && !('NO_COLOR' in env && env.NO_COLOR !== '') && env.TERM !== 'dumb';
  return {
    out: (t) => void process.stdout.write(t),
    err: (t) => void process.stderr.write(t),
    interactive: isTTY && !ci,
    color: color || env.FORCE_COLOR === '1',
    env,
    cwd: process.cwd(),
    stdoutStream: process.stdout,
    stderrStream: process.stderr,
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
      const int = () => handler('SIGINT');
      const term = () => handler('SIGTERM');
      process.on('SIGINT', int);
      process.on('SIGTERM', term);
      return () => {
        process.off('SIGINT', int);
        process.off('SIGTERM', term);
      };
    },
    exit: (code) => process.exit(code),
  };
}

/** Where a command reports a fatal error: stderr, with the stack only under HOKUS_CHECK_DEBUG=1. */
export function fatalOut(io: Io): { write(s: string): void; debug: boolean } {
  return { write: (s) => io.err(s), debug: io.env.HOKUS_CHECK_DEBUG === '1' };
}
