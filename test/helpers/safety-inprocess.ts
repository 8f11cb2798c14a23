// Runs the check in this process, as `hokus-check` would (resolveSettings → runSession), with an Io
// that captures what a user would see: a spawned CLI costs ~0.3 s of Node start-up, this costs the
// round trips only — what a fuzz test of hundreds of cases needs.
import { readFileSync, writeFileSync } from 'node:fs';
import { runSession, type OutputFlags } from '../../src/commands/session.js';
import { resolveSettings, type FlagValues } from '../../src/config/resolve.js';
import { ApiKey } from '../../src/http/secret.js';
import { createFactory } from '../../src/factory.js';
import type { Io } from '../../src/io.js';

export interface InProcessRun {
  code: number;
  out: string;
  err: string;
  /** Each written output file (JUnit, Markdown, HAR, step summary) by format. */
  files: Map<string, string>;
}

export interface InProcessOptions {
  /** Flags as commander would hand them ('--timeout 300ms' → { timeout: '300ms' }). */
  flags: FlagValues;
  outputs: OutputFlags;
  key: string;
  /** GITHUB_STEP_SUMMARY (emptied before the run, read after). */
  summaryFile?: string;
  cwd: string;
  version?: string;
  /** Parts of the Io to replace (a TTY for progress lines, say). */
  io?: Partial<Io>;
}

export async function runCheckInProcess(opts: InProcessOptions): Promise<InProcessRun> {
  const out: string[] = [];
  const err: string[] = [];
  const env: Record<string, string> = { HOKUSAI_API_KEY: opts.key };
  if (opts.summaryFile) {
    env.GITHUB_STEP_SUMMARY = opts.summaryFile;
    writeFileSync(opts.summaryFile, '');
  }
  const io = { ...fakeIo(out, err, env), ...opts.io };
  // No config file: the flags are the whole target.
  const settings = resolveSettings({ flags: opts.flags, env, cwd: opts.cwd, readFile: () => undefined });
  const keys = new Map(settings.targets.map((t) => [t.name, { key: new ApiKey(opts.key), hadWhitespace: false }]));
  const code = await runSession(
    settings,
    keys,
    opts.outputs,
    createFactory({ io, env, cwd: opts.cwd, version: opts.version ?? '0.0.0-test' }),
  );
  const files = new Map<string, string>();
  for (const [format, path] of Object.entries({
    junit: opts.outputs.junit,
    markdown: opts.outputs.markdown,
    har: opts.outputs.har,
    summary: opts.summaryFile,
  })) {
    if (path && path !== '-') files.set(format, readFileSync(path, 'utf8'));
  }
  return { code, out: out.join(''), err: err.join(''), files };
}

/** An Io over string arrays; `env` gives it the terminal's TERM. */
export function fakeIo(out: string[], err: string[], env: Record<string, string> = {}, _cwd?: string): Io {
  return {
    out: (t) => void out.push(t),
    err: (t) => void err.push(t),
    interactive: false,
    color: false,
    term: env.TERM,
    readStdin: () => Promise.resolve(''),
    stdoutStream: { columns: 100 } as NodeJS.WriteStream,
    onSignal: () => () => undefined,
  };
}
