// Runs the CLI once against a fresh embedded stack with the given faults, the way the fault and
// platform e2e tests need it: the user-visible result (exit code, output, JSON report) plus what the
// stack saw and holds afterwards. The stack is closed before this returns.
import { readFileSync } from 'node:fs';
import { startStack, type FaultName, type Inventory, type SimRequest, type StackOptions } from '../../src/sim/stack.js';
import type { Report, ReportExchange, ReportFinding, ReportStep, ReportTarget } from '../../src/report/schema.js';
import { stackArgs, type CliRun } from './cli.js';
import { runInProcess } from './in-process.js';
import { parseReport } from './report.js';

export interface FaultRunOptions {
  /** Where the --json report goes (a file of the test's temp dir). */
  json: string;
  stack?: Omit<StackOptions, 'faults' | 'log'>;
  /** Extra CLI flags. */
  args?: readonly string[];
  /** Pass the stack's internal MLflow URL as --mlflow-direct-url. */
  direct?: boolean;
  /** Leave out --auth-url: the registry's own answers are all there is. */
  noAuthUrl?: boolean;
}

export interface FaultRun {
  run: CliRun;
  report: Report;
  /** The report exactly as written, for "never contains" assertions. */
  reportText: string;
  target: ReportTarget;
  apiKey: string;
  registryUrl: string;
  mlflowUrl: string;
  /** What the MLflow store holds once the CLI has exited. */
  inventory: Inventory;
  requests: SimRequest[];
  /** The stack's log lines: 'mlflow PUT /mlflow/api/2.0/... -> 404'. */
  serverLog: string[];
}

export async function checkWithFaults(faults: FaultName[], opts: FaultRunOptions): Promise<FaultRun> {
  const serverLog: string[] = [];
  // READY at the first poll (as the recorded sqlite server does) unless a case asks otherwise: saves a poll interval per run.
  const stack = await startStack({ pendingPolls: 0, ...opts.stack, faults, log: (line) => serverLog.push(line) });
  try {
    const target = opts.noAuthUrl ? ['--registry-url', stack.registryUrl] : stackArgs(stack);
    const direct = opts.direct ? ['--mlflow-direct-url', stack.mlflowUrl] : [];
    const run = await runInProcess([...target, ...direct, ...(opts.args ?? []), '--json', opts.json], {
      env: { HOKUSAI_API_KEY: stack.apiKey },
    });
    const reportText = readReportText(opts.json, run);
    const report = parseReport(reportText);
    return {
      run,
      report,
      reportText,
      target: report.targets[0]!,
      apiKey: stack.apiKey,
      registryUrl: stack.registryUrl,
      mlflowUrl: stack.mlflowUrl,
      inventory: stack.inventory(),
      requests: stack.requests(),
      serverLog,
    };
  } finally {
    await stack.close();
  }
}

export function stepIn(target: ReportTarget, id: string): ReportStep {
  const step = target.steps.find((s) => s.id === id);
  if (!step) throw new Error(`no step ${id} in the report`);
  return step;
}

export function findingIn(target: ReportTarget, code: string): ReportFinding {
  const f = target.findings.find((x) => x.code === code);
  if (!f) throw new Error(`no finding ${code}; found: ${target.findings.map((x) => x.code).join(', ') || 'none'}`);
  return f;
}

/** The exchanges a finding cites, looked up by id in the report. */
export function evidenceOf(target: ReportTarget, finding: ReportFinding): ReportExchange[] {
  return finding.evidence.map((id) => {
    const x = target.exchanges.find((y) => y.id === id);
    if (!x) throw new Error(`${finding.code} cites ${id}, which is not in the report's exchanges`);
    return x;
  });
}

/** 'auth:pass health:warn … register:blocked<artifact' — the whole matrix in one line, for messages. */
export function matrixLine(target: ReportTarget): string {
  return target.steps.map((s) => `${s.id}:${s.status}${s.rootCause ? '*' : ''}${s.blockedBy ? `<${s.blockedBy}` : ''}`).join(' ');
}

function readReportText(path: string, run: CliRun): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    throw new Error(`the CLI wrote no report (exit ${run.code})\nstdout:\n${run.stdout}\nstderr:\n${run.stderr}`);
  }
}
