// Runs the check against every target concurrently, then renders and writes every output. Shared by
// `check` (a real deployment) and `demo` (the embedded stack).
import { resolve as resolvePath } from 'node:path';
import type { Settings } from '../config/resolve.js';
import { EXIT } from '../exit-codes.js';
import type { Factory } from '../factory.js';
import type { HttpOptions } from '../http/client.js';
import { createRedactor } from '../http/redact.js';
import { credentialOf, secretsOf, type KeyInfo } from './keys.js';
import { buildReport } from '../report/build.js';
import { exitCodeFor } from '../report/exit-code.js';
import { renderGithubAnnotations } from '../report/github.js';
import { renderTerminal } from '../report/terminal.js';
import { safeIo, safeReport } from '../report/safe-output.js';
import { writeOutputs } from '../report/write.js';
import { checkTarget } from '../steps/check-target.js';
import { skippedSteps } from '../steps/selection.js';
import type { CheckResult, CheckState, StopCause, Target } from '../steps/types.js';
import { createdSoFar } from '../steps/created.js';
import { sweepCommand } from '../config/target-flags.js';
import type { EndSignal } from '../io.js';
import { collectorHttpOptions, readCaFile, targetHttpOptions } from './http-settings.js';
import { UsageError } from '../config/errors.js';
import { clientCertWarning } from '../config/client-cert.js';
import { caFileProblem, outputProblems, postReportProblem, proxyVariableProblems, registryUrlProblem } from '../config/preflight.js';
import { createProgress } from './progress.js';
import { formatExchangeLine } from './verbose.js';
import { waitUntilReady } from './wait.js';

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
  const { io: rawIo, version } = f;
  const started = new Date(f.clock.now());
  const t0 = performance.now();
  const check = settings.check;
  // Everything the user typed is checked before the first request (exit 2, one line per problem).
  const problems = [
    ...outputProblems(outputs, f.cwd),
    ...settings.targets.map(registryUrlProblem),
    caFileProblem(check.caFile, settings.tlsFrom?.caFile),
    ...proxyVariableProblems(f.env),
    postReportProblem(outputs.postReport),
  ].filter((p): p is string => p !== undefined);
  if (problems.length > 0) throw new UsageError(problems);
  const ca = readCaFile(check.caFile, settings.tlsFrom?.caFile);
  const redact = createRedactor([...keys.values()].flatMap(secretsOf));
  // Every line for people passes the last redaction and sanitising pass; only the annotations (built
  // escaped in report/github.ts) and the report files (made safe in report/write.ts) use rawIo.
  const io = safeIo(rawIo, redact);
  // With --json - the JSON owns stdout; everything for people goes to stderr.
  const human = outputs.json === '-' ? io.err : io.out;
  // Output paths are relative to the command's working directory ('-' is stdout).
  const inCwd = (path: string) => (path === '-' ? path : resolvePath(f.cwd, path));

  if (check.insecure)
    io.err(
      `hokus-check: warning: ${settings.tlsFrom?.insecure ?? '--insecure'}: TLS certificates are NOT verified (recorded in the report)\n`,
    );
  const certWarnings = settings.targets.flatMap((t) => (t.clientCert ? (clientCertWarning(t.clientCert, f.clock.now()) ?? []) : []));
  for (const warning of new Set(certWarnings)) io.err(`hokus-check: warning: ${warning}\n`);

  // The first signal (Ctrl-C, SIGTERM, SIGHUP, SIGQUIT) aborts in-flight requests and cleans up (10 s
  // budget). Only a second Ctrl-C from a person at a terminal quits at once (the session returns 130
  // without waiting for the cleanup, naming what is left and the sweep that removes it): a CI
  // runner's cancel sends SIGINT then SIGTERM seconds later, and that must not cost the cleanup.
  const interrupt = new AbortController();
  const hard = new AbortController();
  let quitNow: (code: number) => void = () => undefined;
  const quit = new Promise<number>((resolve) => (quitNow = resolve));
  let reason: StopCause = 'deadline';
  /** What each target's check has created so far (checkTarget's state), for a quit without cleanup. */
  const states = new Map<Target, CheckState>();
  const offSignal = io.onSignal((sig) => {
    if (!interrupt.signal.aborted) {
      reason = 'interrupted';
      interrupt.abort();
      io.err(
        `\nhokus-check: ${SIGNAL_WORDS[sig]}: cleaning up what this check created${io.interactive ? ' (Ctrl-C again to quit now)' : ''}\n`,
      );
      return;
    }
    if (!(sig === 'SIGINT' && io.interactive)) {
      io.err(`hokus-check: ${SIGNAL_WORDS[sig]} again: still cleaning up (it has its own time budget)\n`);
      return;
    }
    hard.abort();
    io.err('hokus-check: quitting without cleanup\n');
    for (const [target, state] of states) {
      const left = createdSoFar(state);
      if (left.length > 0)
        io.err(
          `hokus-check: ${settings.targets.length > 1 ? `${target.name}: ` : ''}left behind by check ${state.checkId}: ${left.join('; ')}; remove them with: ${sweepCommand(target, state.checkId)}\n`,
        );
    }
    quitNow(EXIT.interrupted);
  });
  // A plain timer, not AbortSignal.timeout(): on Node 20 a timeout signal held only by
  // AbortSignal.any() is weakly referenced, gets garbage-collected, and the deadline never fires.
  const deadline = new AbortController();
  const deadlineTimer = setTimeout(() => deadline.abort(new DOMException('deadline exceeded', 'TimeoutError')), check.deadlineMs);
  const signal = AbortSignal.any([interrupt.signal, deadline.signal]);

  const progress = createProgress(io, settings.targets.length > 1, redact, { quiet: outputs.quiet === true, now: () => f.clock.now() });
  try {
    const work = finish();
    work.catch(() => undefined); // after a second Ctrl-C nobody waits for it
    return await Promise.race([quit, work]);
  } finally {
    clearTimeout(deadlineTimer);
    progress.stop();
    offSignal();
  }

  async function finish(): Promise<number> {
    const results = await Promise.all(
      settings.targets.map(async (target): Promise<CheckResult> => {
        const keyInfo = keys.get(target.name) ?? { hadWhitespace: false };
        const httpOptions: HttpOptions = {
          ...targetHttpOptions(target, credentialOf(keyInfo), check, f, signal, ca),
          ...(outputs.verbose ? { onExchange: (x) => io.err(`${formatExchangeLine(x, target.name, settings.targets.length > 1)}\n`) } : {}),
        };
        // The wait phase's polls are not evidence of the check: they go through their own client.
        if (check.waitMs > 0) {
          const waitHttp = f.http({ ...httpOptions, retries: 0, onExchange: undefined });
          try {
            await waitUntilReady(target, waitHttp, check.waitMs, signal, (line) => io.err(`${line}\n`), f.clock);
          } finally {
            await waitHttp.close();
          }
        }
        const http = f.http(httpOptions);
        try {
          return await checkTarget({
            target,
            http,
            options: check,
            progress: progress.forTarget(target.name),
            skipped: skippedSteps(settings.only, settings.skip),
            signal,
            hardSignal: hard.signal,
            abortReason: () => reason,
            ...(keyInfo.key ? { keyMasked: keyInfo.key.masked() } : {}),
            keyHadWhitespace: keyInfo.hadWhitespace,
            ...(keyInfo.sent ? { credentials: keyInfo.sent } : {}),
            insecure: check.insecure,
            onState: (state) => states.set(target, state),
          });
        } finally {
          await http.close();
        }
      }),
    );
    if (hard.signal.aborted) return EXIT.interrupted;
    progress.stop();
    offSignal();

    const interrupted = reason === 'interrupted' && interrupt.signal.aborted;
    const exitCode = exitCodeFor(results, interrupted, { strict: outputs.strict === true });
    const report = safeReport(
      buildReport(results, {
        version,
        startedAt: started.toISOString(),
        durationMs: Math.round(performance.now() - t0),
        exitCode,
        interrupted,
      }),
      redact,
    );
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
    if (outputs.postReport) {
      const { postReportBundle } = await import('../report/post.js');
      // The check's HTTP settings (CA, --insecure, proxy variables), but no key and no origin for one.
      const http = f.http(collectorHttpOptions(check, f, AbortSignal.timeout(check.timeoutMs * 3), ca));
      try {
        const posted = await postReportBundle(outputs.postReport, report, { http, timeoutMs: check.timeoutMs, redact });
        io.err(`hokus-check: report posted to ${posted.shownUrl} (${posted.status})\n`);
      } catch (err) {
        io.err(`hokus-check: could not post the report: ${redact(err instanceof Error ? err.message : String(err))}\n`);
      } finally {
        await http.close();
      }
    }
    return exitCode;
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
