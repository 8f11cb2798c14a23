// Runs the CLI in this process, as a user would run the binary: the same argv parsing (runCli) and
// commands, over an Io that captures stdout and stderr as strings, the given environment and working
// directory, and real HTTP to loopback servers. No Node start-up per case, no dist/ build; a spawned
// run (test/helpers/cli.ts) is kept only for what only the binary shows (argv of the process, its exit
// status, signals, TTY).
import { readFileSync } from 'node:fs';
import { runCli } from '../../src/cli.js';
import { createFactory, type Clock, type Factory } from '../../src/factory.js';
import { terminalCaps, type Io } from '../../src/io.js';
import type { CliOptions, CliRun } from './cli.js';

export interface InProcessOptions extends Pick<CliOptions, 'env' | 'input' | 'cwd'> {
  /** Delivers Ctrl-C / SIGTERM to the command, as the process's signal handlers would. */
  signals?: SignalSource;
  clock?: Clock;
  /** Replaces parts of the factory (e.g. a recording HTTP factory). */
  factory?: Partial<Pick<Factory, 'http' | 'clock'>>;
}

const VERSION = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

/** Same inputs and the same result shape as runCli() (test/helpers/cli.ts), so a case reads the same either way. */
export async function runInProcess(args: string[], opts: InProcessOptions = {}): Promise<CliRun> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries({ PATH: process.env.PATH, HOME: process.env.HOME, CI: 'true', NO_COLOR: '1', ...opts.env })) {
    if (v !== undefined) env[k] = v;
  }
  let stdout = '';
  let stderr = '';
  const io: Io = {
    out: (t) => void (stdout += t),
    err: (t) => void (stderr += t),
    ...terminalCaps(env, false),
    term: env.TERM,
    readStdin: () => Promise.resolve(opts.input ?? ''),
    stdoutStream: {} as NodeJS.WriteStream,
    onSignal: (handler) => (opts.signals ? opts.signals.subscribe(handler) : () => undefined),
  };
  const f = createFactory({
    io,
    env,
    cwd: opts.cwd ?? process.cwd(),
    version: VERSION,
    ...(opts.clock ? { clock: opts.clock } : {}),
    ...opts.factory,
  });
  const code = await runCli(args, f);
  return { code, signal: null, stdout, stderr, all: stdout + stderr };
}

export interface SignalSource {
  subscribe(handler: (signal: 'SIGINT' | 'SIGTERM') => void): () => void;
  send(signal: 'SIGINT' | 'SIGTERM'): void;
  /** How many handlers are registered right now (a command listens only while it runs). */
  readonly listeners: number;
}

export function signalSource(): SignalSource {
  const handlers = new Set<(signal: 'SIGINT' | 'SIGTERM') => void>();
  return {
    subscribe(handler) {
      handlers.add(handler);
      return () => void handlers.delete(handler);
    },
    send(signal) {
      for (const h of [...handlers]) h(signal);
    },
    get listeners() {
      return handlers.size;
    },
  };
}
