// Runs the check against every target side by side (commands/check-one.ts, each), then renders and
// writes every output. Shared by `check` (a real deployment) and `demo` (the embedded stack).
import { resolve as resolvePath } from 'node:path';
import { clientCertWarning } from '../config/client-cert.js';
import { UsageError } from '../config/errors.js';
import { caFileProblem, outputProblems, postReportProblem, proxyVariableProblems, registryUrlProblem } from '../config/preflight.js';
import type { Settings } from '../config/resolve.js';
import { sweepCommand } from '../config/target-flags.js';
import { EXIT } from '../exit-codes.js';
import type { Factory } from '../factory.js';
import { createRedactor } from '../http/redact.js';
import type { Exchange } from '../http/types.js';
import type { EndSignal, Io } from '../io.js';
import { buildReport } from '../report/build.js';
import { exitCodeFor } from '../report/exit-code.js';
import { renderGithubAnnotations } from '../report/github.js';
import { safeIo, safeReport } from '../report/safe-output.js';
import type { Report } from '../report/schema.js';
import { renderTerminal } from '../report/terminal.js';
import { writeOutputs } from '../report/write.js';
import { createdSoFar } from '../steps/created.js';
import { skippedSteps } from '../steps/selection.js';
import type { CheckResult, CheckState, Target } from '../steps/types.js';
import { checkOneTarget } from './check-one.js';
import { collectorHttpOptions, readCaFile } from './http-settings.js';
import { secretsOf, type KeyInfo } from './keys.js';
import { createProgress } from './progress.js';
import { formatExchangeLine } from './verbose.js';

export interface OutputFlags {
  json?: string;
  junit?: string;
  markdown?: string;
  har?: string;
  prometheus?: string;
  postReport?: string;
  verbose?: boolean;
  /** Only the summary line and the root cause on the terminal. */
  quiet?: boolean;
  /** Warnings fail the gate (exit 1). */
  strict?: boolean;
}

export async function runSession(settings: Settings, keys: Map<string, KeyInfo>, outputs: OutputFlags, f: Factory): Promise<number> {
  const started = new Date(f.clock.now());
  const t0 = performance.now();
  preflight(settings, outputs, f);
  const ca = readCaFile(settings.check.caFile, settings.tlsFrom?.caFile);
  const redact = createRedactor([...keys.values()].flatMap(secretsOf));
  // Every line for people passes the last redaction and sanitising pass; only the annotations (built
  // escaped in report/github.ts) and the report files (made safe in report/write.ts) use rawIo.
  const io = safeIo(f.io, redact);
  warn(settings, io, f);

  /** What each target's check has created so far (checkTarget's state), for a quit without cleanup. */
  const states = new Map<Target, CheckState>();
  const stops = onStopSignals(
    io,
    (line) => io.err(line),
    () => leftBehind(settings, states),
  );
  const progress = createProgress(io, settings.targets.length > 1, redact, { quiet: outputs.quiet === true, now: () => f.clock.now() });
  try {
    const work = checkAll().then(async (results) => {
      if (stops.hard.aborted) return EXIT.interrupted;
      progress.stop();
      stops.off();
      const report = reportOf(results, stops.interrupted(), outputs, f, started, t0, redact);
      await deliver(report, outputs, f, io, { check: settings.check, ca, redact });
      return report.exitCode;
    });
    work.catch(() => undefined); // after a second Ctrl-C nobody waits for it
    return await Promise.race([stops.quit, work]);
  } finally {
    progress.stop();
    stops.off();
  }

  function checkAll(): Promise<CheckResult[]> {
    const multi = settings.targets.length > 1;
    return Promise.all(
      settings.targets.map((target) =>
        checkOneTarget({
          target,
          key: keys.get(target.name) ?? { hadWhitespace: false },
          check: settings.check,
          skipped: skippedSteps(settings.only, settings.skip),
          stop: stops.stop,
          hard: stops.hard,
          progress: progress.forTarget(target.name),
          http: f.http,
          f,
          ...(ca ? { ca } : {}),
          ...(outputs.verbose ? { onExchange: (x: Exchange) => io.err(`${formatExchangeLine(x, target.name, multi)}\n`) } : {}),
          onState: (state) => states.set(target, state),
          waitLog: (line) => io.err(`${line}\n`),
        }),
      ),
    );
  }
}

/** Everything the user typed is checked before the first request (exit 2, one line per problem). */
function preflight(settings: Settings, outputs: OutputFlags, f: Factory): void {
  const problems = [
    ...outputProblems(outputs, f.cwd),
    ...settings.targets.map(registryUrlProblem),
    caFileProblem(settings.check.caFile, settings.tlsFrom?.caFile),
    ...proxyVariableProblems(f.env),
    postReportProblem(outputs.postReport),
  ].filter((p): p is string => p !== undefined);
  if (problems.length > 0) throw new UsageError(problems);
}

/** What the user should know before the first request: TLS not verified, a client certificate near its end. */
function warn(settings: Settings, io: Io, f: Factory): void {
  if (settings.check.insecure)
    io.err(
      `hokus-check: warning: ${settings.tlsFrom?.insecure ?? '--insecure'}: TLS certificates are NOT verified (recorded in the report)\n`,
    );
  const certWarnings = settings.targets.flatMap((t) => (t.clientCert ? (clientCertWarning(t.clientCert, f.clock.now()) ?? []) : []));
  for (const warning of new Set(certWarnings)) io.err(`hokus-check: warning: ${warning}\n`);
}

/**
 * The signals that end a run. The first (Ctrl-C, SIGTERM, SIGHUP, SIGQUIT) stops the steps and lets
 * cleanup run (its own budget). Only a second Ctrl-C from a person at a terminal quits at once
 * (`quit` resolves 130, without waiting for the cleanup, after `quitting` says what is left): a CI
 * runner's cancel sends SIGINT then SIGTERM seconds later, and that must not cost the cleanup.
 */
function onStopSignals(
  io: Io,
  say: (line: string) => void,
  quitting: () => string[],
): { stop: AbortSignal; hard: AbortSignal; quit: Promise<number>; interrupted: () => boolean; off: () => void } {
  const stop = new AbortController();
  const hard = new AbortController();
  let quitNow: (code: number) => void = () => undefined;
  const quit = new Promise<number>((resolve) => (quitNow = resolve));
  const off = io.onSignal((sig) => {
    if (!stop.signal.aborted) {
      stop.abort();
      // On a terminal the second sentence goes on its own line: it fits 80 columns either way.
      say(
        `\nhokus-check: ${SIGNAL_WORDS[sig]}: cleaning up what this check created${io.interactive ? '\n  (Ctrl-C again to quit now)' : ''}\n`,
      );
      return;
    }
    if (!(sig === 'SIGINT' && io.interactive)) {
      say(`hokus-check: ${SIGNAL_WORDS[sig]} again: still cleaning up (it has its own time budget)\n`);
      return;
    }
    hard.abort();
    say('hokus-check: quitting without cleanup\n');
    for (const line of quitting()) say(`${line}\n`);
    quitNow(EXIT.interrupted);
  });
  return { stop: stop.signal, hard: hard.signal, quit, interrupted: () => stop.signal.aborted, off };
}

/** What each target's check created so far, with the sweep that removes it: for a quit without cleanup. */
function leftBehind(settings: Settings, states: ReadonlyMap<Target, CheckState>): string[] {
  return [...states].flatMap(([target, state]) => {
    const left = createdSoFar(state);
    if (left.length === 0) return [];
    const who = settings.targets.length > 1 ? `${target.name}: ` : '';
    return [
      `hokus-check: ${who}left behind by check ${state.checkId}: ${left.join('; ')}; remove them with: ${sweepCommand(target, state.checkId)}`,
    ];
  });
}

function reportOf(
  results: CheckResult[],
  interrupted: boolean,
  outputs: OutputFlags,
  f: Factory,
  started: Date,
  t0: number,
  redact: (s: string) => string,
): Report {
  const exitCode = exitCodeFor(results, interrupted, { strict: outputs.strict === true });
  return safeReport(
    buildReport(results, {
      version: f.version,
      startedAt: started.toISOString(),
      durationMs: Math.round(performance.now() - t0),
      exitCode,
      interrupted,
    }),
    redact,
  );
}

/** What delivering a report needs of the session: the check's settings (for --post-report), the CA, the redactor. */
interface DeliveryContext {
  check: Settings['check'];
  ca: Buffer | undefined;
  redact: (s: string) => string;
}

/** The matrix for people, every file asked for, the annotations in GitHub Actions, the POST of the report. */
async function deliver(report: Report, outputs: OutputFlags, f: Factory, io: Io, ctx: DeliveryContext): Promise<void> {
  const { redact } = ctx;
  const rawIo = f.io;
  // With --json - the JSON owns stdout; everything for people goes to stderr.
  const human = outputs.json === '-' ? io.err : io.out;
  // Output paths are relative to the command's working directory ('-' is stdout).
  const inCwd = (path: string) => (path === '-' ? path : resolvePath(f.cwd, path));
  human(
    renderTerminal(report, {
      color: io.color && outputs.json !== '-',
      width: terminalWidth(f.env, io.stdoutStream.columns),
      quiet: outputs.quiet === true,
    }),
  );
  const githubSummaryPath = f.env.GITHUB_STEP_SUMMARY;
  await writeOutputs(
    report,
    {
      ...(outputs.json ? { json: inCwd(outputs.json) } : {}),
      ...(outputs.junit ? { junit: inCwd(outputs.junit) } : {}),
      ...(outputs.markdown ? { markdown: inCwd(outputs.markdown) } : {}),
      ...(outputs.har ? { har: inCwd(outputs.har) } : {}),
      ...(outputs.prometheus ? { prometheus: inCwd(outputs.prometheus) } : {}),
      ...(githubSummaryPath ? { githubSummaryPath } : {}),
    },
    { stdout: (s) => rawIo.out(s), redact },
  );
  if (githubSummaryPath) {
    const annotations = renderGithubAnnotations(report, redact);
    if (annotations) (outputs.json === '-' ? rawIo.err : rawIo.out)(annotations);
  }
  if (outputs.postReport) await postReport(outputs.postReport, report, f, io, ctx);
}

/** POSTs the report bundle with the check's HTTP settings (CA, --insecure, proxy variables), but no key and no origin for one. */
async function postReport(url: string, report: Report, f: Factory, io: Io, ctx: DeliveryContext): Promise<void> {
  const { postReportBundle } = await import('../report/post.js');
  const { check, ca, redact } = ctx;
  const http = f.http(collectorHttpOptions(check, f, AbortSignal.timeout(check.timeoutMs * 3), ca));
  try {
    const posted = await postReportBundle(url, report, { http, timeoutMs: check.timeoutMs, redact });
    io.err(`hokus-check: report posted to ${posted.shownUrl} (${posted.status})\n`);
  } catch (err) {
    io.err(`hokus-check: could not post the report: ${redact(err instanceof Error ? err.message : String(err))}\n`);
  } finally {
    await http.close();
  }
}

/** How a signal is named in the line the session prints when it arrives. */
const SIGNAL_WORDS: Readonly<Record<EndSignal, string>> = {
  SIGINT: 'interrupted',
  SIGTERM: 'terminated (SIGTERM)',
  SIGHUP: 'hung up (SIGHUP)',
  SIGQUIT: 'quit (SIGQUIT)',
};

/** Columns to fit: COLUMNS when set (also for a pipe or a CI log), else the terminal's, else 100. */
export function terminalWidth(env: Record<string, string | undefined>, columns: number | undefined): number {
  const fromEnv = Number.parseInt(env.COLUMNS ?? '', 10);
  if (Number.isInteger(fromEnv) && fromEnv > 0) return fromEnv;
  return columns || 100;
}
