// One target's whole check: the DAG, the diagnosis over its evidence, and the result the reporters render.
import { diagnose } from '../diagnosis/engine.js';
import type { SentCredentials } from '../diagnosis/types.js';
import { checkExchanges, rootStepOf } from '../diagnosis/evidence-query.js';
import type { Http } from '../http/types.js';
import { mlflowBaseUrl } from '../mlflow/urls.js';
import { runDag } from './dag.js';
import { newCheckId } from '../mlflow/naming.js';
import { settleUnanswered } from './unanswered.js';
import {
  CLEANUP_BUDGET_MS,
  type CheckOptions,
  type CheckResult,
  type CheckState,
  type Progress,
  type StepId,
  type StopCause,
  type Target,
} from './types.js';

export interface TargetRun {
  target: Target;
  http: Http;
  options: CheckOptions;
  progress: Progress;
  skipped: Map<StepId, string>;
  signal: AbortSignal;
  hardSignal: AbortSignal;
  /** When `hardSignal` fires by its own clock (performance.now() ms), if it has one. */
  hardEndsAt?: number;
  abortReason: () => StopCause;
  keyMasked?: string;
  keyHadWhitespace: boolean;
  /** How the check authenticates, named (no secret): the diagnosis's fixes name the variables and the user. */
  credentials?: SentCredentials;
  insecure: boolean;
  checkId?: string;
  /** Handed the check's state as soon as it exists: what it creates is known while it runs. */
  onState?: (state: CheckState) => void;
}

export async function checkTarget(run: TargetRun): Promise<CheckResult> {
  const startedAt = new Date();
  const started = performance.now();
  const checkId = run.checkId ?? newCheckId();
  const state: CheckState = { checkId, created: { artifactPaths: [], artifactDirs: [], modelVersions: [] } };
  run.onState?.(state);
  const target = run.target;
  const mlflowBase = mlflowBaseUrl(target);
  const skipped = new Map(run.skipped);
  if (target.kind === 'mlflow') skipped.set('auth', 'plain MLflow target: no auth service');
  else if (!target.authUrl && !skipped.has('auth')) skipped.set('auth', 'no --auth-url: the registry validates the key itself');

  const steps = await runDag(
    { target, http: run.http, state, options: run.options, signal: run.signal, progress: run.progress, mlflowBase },
    {
      skipped,
      signal: run.signal,
      abortReason: run.abortReason,
      cleanupBudgetMs: CLEANUP_BUDGET_MS,
      hardSignal: run.hardSignal,
      ...(run.hardEndsAt === undefined ? {} : { hardEndsAt: run.hardEndsAt }),
      keep: run.options.keep,
    },
  );
  const exchanges = checkExchanges(run.http.exchanges());
  const evidence = {
    target,
    steps,
    exchanges,
    state,
    keyHadWhitespace: run.keyHadWhitespace,
    ...(run.credentials ? { credentials: run.credentials } : {}),
  };
  const findings = diagnose(evidence);
  // The diagnosis decides the root-cause step; the step only carries the mark for the reports.
  const rootStep = rootStepOf(evidence);
  for (const step of steps) step.rootCause = step.id === rootStep;
  // After the diagnosis, which reads `error` as "no usable answer" whatever else answered.
  settleUnanswered(steps, exchanges);

  const result: CheckResult = {
    target,
    checkId,
    startedAt: startedAt.toISOString(),
    durationMs: Math.round(performance.now() - started),
    steps,
    exchanges,
    findings,
    interrupted: run.signal.aborted && run.abortReason() === 'interrupted',
    leftovers: state.leftovers ?? [],
    insecure: run.insecure,
  };
  if (run.keyMasked) result.keyMasked = run.keyMasked;
  // The trace id is the client's: the one its requests sent.
  if (run.http.traceId !== undefined) result.traceId = run.http.traceId;
  return result;
}
