// Runs the check against every target concurrently, then renders and writes every output. Shared by
// `check` (a real deployment) and `demo` (the embedded stack).
import { readFileSync } from 'node:fs';
import { UsageError } from '../config/errors.js';
import type { Settings } from '../config/resolve.js';
import { EXIT } from '../exit-codes.js';
import { createHttp, type HttpOptions } from '../http/client.js';
import { createRedactor } from '../http/redact.js';
import { ApiKey } from '../http/secret.js';
import type { Io } from '../io.js';
import { buildReport } from '../report/build.js';
import { exitCodeFor } from '../report/exit-code.js';
import { renderGithubAnnotations } from '../report/github.js';
import { renderTerminal } from '../report/terminal.js';
import { safeIo, safeReport } from '../report/safe-output.js';
import { writeOutputs } from '../report/write.js';
import { checkTarget } from '../steps/check.js';
import { skippedSteps } from '../steps/selection.js';
import type { CheckResult, Target } from '../steps/types.js';
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
}

export interface KeyInfo {
  key?: ApiKey;
  hadWhitespace: boolean;
}

export async function runChecks(settings: Settings, keys: Map<string, KeyInfo>, outputs: OutputFlags, rawIo: Io, version: string): Promise<number> {
  const started = new Date();
  const t0 = performance.now();
  const check = settings.check;
  const ca = check.caFile ? readCa(check.caFile) : undefined;
  const allKeys = [...keys.values()].flatMap((k) => (k.key ? [k.key.value] : []));
  const redact = createRedactor(allKeys);
  // Every line for people passes the last redaction and sanitising pass; only the annotations (built
  // escaped in report/github.ts) and the report files (made safe in report/write.ts) use rawIo.
  const io = safeIo(rawIo, redact);
  // With --json - the JSON owns stdout; everything for people goes to stderr.
  const human = outputs.json === '-' ? io.err : io.out;

  if (check.insecure) io.err('hokus-check: warning: --insecure: TLS certificates are NOT verified (recorded in the report)\n');

  // Ctrl-C: the first aborts in-flight requests and cleans up (10 s budget); the second quits at once.
  const interrupt = new AbortController();
  const hard = new AbortController();
  let reason = 'deadline exceeded';
  const offSignal = io.onSignal((sig) => {
    if (!interrupt.signal.aborted) {
      reason = 'interrupted';
      interrupt.abort();
      io.err(`\nhokus-check: ${sig === 'SIGINT' ? 'interrupted' : 'terminated'}: cleaning up what this check created (again to quit now)\n`);
      return;
    }
    hard.abort();
    io.err('hokus-check: quitting without cleanup\n');
    io.exit(EXIT.interrupted);
  });
  // A plain timer, not AbortSignal.timeout(): on Node 20 a timeout signal held only by
  // AbortSignal.any() is weakly referenced, gets garbage-collected, and the deadline never fires.
  const deadline = new AbortController();
  const deadlineTimer = setTimeout(() => deadline.abort(new DOMException('deadline exceeded', 'TimeoutError')), check.deadlineMs);
  const signal = AbortSignal.any([interrupt.signal, deadline.signal]);

  const progress = createProgress(io, settings.targets.length > 1, redact);
  try {
    const results = await Promise.all(
      settings.targets.map(async (target): Promise<CheckResult> => {
        const keyInfo = keys.get(target.name) ?? { hadWhitespace: false };
        const httpOptions: HttpOptions = {
          ...(keyInfo.key ? { key: keyInfo.key } : {}),
          keyOrigins: keyOrigins(target),
          timeoutMs: check.timeoutMs,
          connectTimeoutMs: check.connectTimeoutMs,
          retries: check.retries,
          insecure: check.insecure,
          ...(ca ? { ca } : {}),
          signal,
          userAgent: `hokus-check/${version}`,
          ...(outputs.verbose ? { onExchange: (x) => io.err(`${formatExchangeLine(x, target.name, settings.targets.length > 1)}\n`) } : {}),
          proxyEnv: proxyEnvOf(io.env),
        };
        // The wait phase's polls are not evidence of the check: they go through their own client.
        if (check.waitMs > 0) {
          const waitHttp = createHttp({ ...httpOptions, retries: 0, onExchange: undefined });
          try {
            await waitUntilReady(target, waitHttp, check.waitMs, signal, (line) => io.err(`${line}\n`));
          } finally {
            await waitHttp.close();
          }
        }
        const http = createHttp(httpOptions);
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
            insecure: check.insecure,
          });
        } finally {
          await http.close();
        }
      }),
    );
    progress.stop();
    offSignal();

    const interrupted = reason === 'interrupted' && interrupt.signal.aborted;
    const exitCode = exitCodeFor(results, interrupted);
    const report = safeReport(buildReport(results, {
      version,
      startedAt: started.toISOString(),
      durationMs: Math.round(performance.now() - t0),
      exitCode,
      interrupted,
    }), redact);
    human((renderTerminal(report, { color: io.color && outputs.json !== '-', width: io.stdoutStream.columns || 100 })));

    const githubSummaryPath = io.env.GITHUB_STEP_SUMMARY;
    await writeOutputs(
      report,
      {
        ...(outputs.json ? { json: outputs.json } : {}),
        ...(outputs.junit ? { junit: outputs.junit } : {}),
        ...(outputs.markdown ? { markdown: outputs.markdown } : {}),
        ...(outputs.har ? { har: outputs.har } : {}),
        ...(outputs.prometheus ? { prometheus: outputs.prometheus } : {}),
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
      try {
        const posted = await postReportBundle(outputs.postReport, report, {
          timeoutMs: check.timeoutMs,
          signal: AbortSignal.timeout(check.timeoutMs * 3),
          ...(ca ? { ca } : {}),
          insecure: check.insecure,
          redact,
        });
        io.err(`hokus-check: report posted to ${posted.shownUrl} (${posted.status})\n`);
      } catch (err) {
        io.err(`hokus-check: could not post the report: ${redact(err instanceof Error ? err.message : String(err))}\n`);
      }
    }
    return exitCode;
  } finally {
    clearTimeout(deadlineTimer);
    progress.stop();
    offSignal();
  }
}

/** The key may go to these origins only: the configured auth, registry, MLflow and direct-MLflow hosts. */
export function keyOrigins(target: Target): string[] {
  return [target.authUrl, target.registryUrl, target.mlflowUrl, target.mlflowDirectUrl]
    .filter((u): u is string => !!u)
    .map((u) => new URL(u).origin);
}

function readCa(path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (err) {
    throw new UsageError([`--ca-file: cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? 'error'}`]);
  }
}

export function proxyEnvOf(env: Record<string, string | undefined>): { httpProxy?: string; httpsProxy?: string; noProxy?: string } {
  const out: { httpProxy?: string; httpsProxy?: string; noProxy?: string } = {};
  const http = env.HTTP_PROXY ?? env.http_proxy;
  const https = env.HTTPS_PROXY ?? env.https_proxy;
  const no = env.NO_PROXY ?? env.no_proxy;
  if (http) out.httpProxy = http;
  if (https) out.httpsProxy = https;
  if (no) out.noProxy = no;
  return out;
}
