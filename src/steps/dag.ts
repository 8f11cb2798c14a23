// Runs the steps as a DAG: each step starts as soon as its dependencies are done, so independent
// steps (auth ∥ health) overlap. A step whose dependency did not pass is `blocked` and sends nothing.
// Cleanup always runs last, on its own signal, so Ctrl-C or the deadline still leave nothing behind.
import { withSignal } from '../http/with-signal.js';
import { createdSoFar } from './created.js';
import { STEPS } from './index.js';
import {
  NOT_RUN,
  type Step,
  type StepContext,
  type StepId,
  type StepOutcome,
  type StepResult,
  type StepStatus,
  type StopCause,
} from './types.js';

export interface DagOptions {
  /** Steps the user chose not to run (--skip, --only, or auth without an auth URL), with the reason. */
  skipped: Map<StepId, string>;
  /** Fires on Ctrl-C or the deadline: in-flight requests end, steps not yet started are not run. */
  signal: AbortSignal;
  /** Why the signal fired, for the steps it cut short. */
  abortReason: () => StopCause;
  /** Budget for cleanup once the signal has fired. */
  cleanupBudgetMs: number;
  /** Fires on a second Ctrl-C: cleanup stops too. */
  hardSignal: AbortSignal;
  /** When `hardSignal` fires by itself (performance.now() ms), if it has a clock: the exporter's scrape budget. */
  hardEndsAt?: number;
  keep: boolean;
}

const PASSING: ReadonlySet<StepStatus> = new Set(['pass', 'warn']);

export async function runDag(ctx: StepContext, opts: DagOptions, steps: readonly Step[] = STEPS): Promise<StepResult[]> {
  const results = new Map<StepId, StepResult>();
  const pending = new Map<StepId, Promise<StepResult>>();
  const main = steps.filter((s) => s.id !== 'cleanup');

  const runOne = async (step: Step): Promise<StepResult> => {
    const deps = [...step.dependsOn, ...(step.softDependsOn ?? [])];
    const depResults = await Promise.all(deps.map((d) => pending.get(d)).filter((p): p is Promise<StepResult> => !!p));
    const skipReason = opts.skipped.get(step.id);
    if (skipReason !== undefined) return settle(step.id, 'skipped', skipReason);
    const blocker = depResults.find((d) => {
      if (PASSING.has(d.status)) return false;
      // A soft dependency the user skipped does not block (e.g. no auth URL: the registry checks the key itself).
      const soft = step.softDependsOn?.includes(d.id) ?? false;
      return !(soft && d.status === 'skipped');
    });
    if (blocker) {
      const root = blocker.status === 'blocked' && blocker.blockedBy ? blocker.blockedBy : blocker.id;
      return { ...settle(step.id, 'blocked', `blocked by ${root}`), blockedBy: root };
    }
    if (opts.signal.aborted) {
      const cause = opts.abortReason();
      return { ...settle(step.id, 'error', NOT_RUN[cause]), stopped: cause };
    }
    return execute(step, ctx);
  };

  for (const step of main) pending.set(step.id, runOne(step));
  for (const step of main) results.set(step.id, await pending.get(step.id)!);

  const cleanup = steps.find((s) => s.id === 'cleanup');
  if (cleanup) results.set('cleanup', await runCleanup(cleanup, ctx, opts));

  // Which failure is the root cause is the diagnosis's call (src/diagnosis/engine.ts, rootStepOf).
  return steps.map((s) => results.get(s.id)!);
}

async function runCleanup(step: Step, ctx: StepContext, opts: DagOptions): Promise<StepResult> {
  if (opts.keep) {
    const kept = describeCreated(ctx);
    ctx.state.leftovers = kept;
    return settle('cleanup', 'skipped', kept.length ? `--keep: kept ${kept.join('; ')}` : '--keep: nothing was created');
  }
  const skipReason = opts.skipped.get('cleanup');
  if (skipReason !== undefined) {
    ctx.state.leftovers = describeCreated(ctx);
    return settle('cleanup', 'skipped', skipReason);
  }
  // After Ctrl-C/deadline cleanup gets a fresh budget; a second Ctrl-C ends it at once. (A plain
  // timer, not AbortSignal.timeout: inside AbortSignal.any Node 20 may garbage-collect it unfired.)
  const budget = new AbortController();
  const asked = opts.signal.aborted ? opts.cleanupBudgetMs : Math.max(opts.cleanupBudgetMs, ctx.options.timeoutMs * 4);
  const budgetMs = opts.hardEndsAt === undefined ? asked : Math.max(0, Math.min(asked, opts.hardEndsAt - performance.now()));
  const timer = setTimeout(() => budget.abort(new DOMException('cleanup budget spent', 'TimeoutError')), budgetMs);
  const signal = AbortSignal.any([budget.signal, opts.hardSignal]);
  try {
    return await execute(step, { ...ctx, http: withSignal(ctx.http, signal), signal, endsAt: performance.now() + budgetMs });
  } finally {
    clearTimeout(timer);
  }
}

async function execute(step: Step, ctx: StepContext): Promise<StepResult> {
  const started = performance.now();
  ctx.progress.start(step.id, step.id);
  let outcome: StepOutcome;
  try {
    outcome = await step.run(ctx);
  } catch (err) {
    // A step bug must not take the check down: it is this step's error, and cleanup still runs.
    outcome = { status: 'error', detail: `internal error: ${ctx.http.redact(err instanceof Error ? err.message : String(err))}` };
  }
  if (ctx.signal.aborted && outcome.status !== 'pass') outcome = { ...outcome, status: 'error' };
  const durationMs = Math.round(performance.now() - started);
  ctx.progress.end(step.id, outcome.status, outcome.detail);
  const exchangeIds = ctx.http
    .exchanges()
    .filter((x) => x.step === step.id)
    .map((x) => x.id);
  return {
    id: step.id,
    status: outcome.status,
    durationMs,
    detail: outcome.detail,
    notes: outcome.notes ?? [],
    rootCause: false,
    exchangeIds,
    ...(outcome.failure ? { failure: outcome.failure } : {}),
  };
}

function settle(id: StepId, status: StepStatus, detail: string): StepResult {
  return { id, status, durationMs: 0, detail, notes: [], rootCause: false, exchangeIds: [] };
}

function describeCreated(ctx: StepContext): string[] {
  return createdSoFar(ctx.state);
}
