// Command-line surface: commander turns flags into options, nothing else. Each command's module is
// imported only when that command runs, so `--version` and `--help` start in bare-Node time.
// `main` is the process's entry (bin/hokus-check.js ends the process with the code it returns);
// `runCli` is the same CLI over an injected Factory, which the in-process tests drive.
import { basename, relative } from 'node:path';
import { EXIT } from './exit-codes.js';
import { exporterLimitsHelp } from './exporter/limits.js';
import type { Command } from 'commander';
import type { Factory } from './factory.js';
import { processIo, withoutColor } from './io.js';

declare const __VERSION__: string;
const VERSION = typeof __VERSION__ === 'string' ? __VERSION__ : '0.0.0-dev';

const SERVER_HEAP = ['--semi-space-growth-factor=1', '--heap-growing-percent=50'];

/** The process's entry: argv without node and the script; returns the exit code. */
export async function main(argv: string[]): Promise<number> {
  // `--version` alone needs nothing else: answered before commander is even loaded.
  if (argv.length === 1 && (argv[0] === '--version' || argv[0] === '-V')) {
    process.stdout.write(`${VERSION}\n`);
    return EXIT.ok;
  }
  // undici parses HTTP with llhttp compiled to WebAssembly. V8 would also recompile that large parser
  // with its optimising tier in the background: ~30 MiB of peak RSS and ~50 ms of CPU, which a run of
  // a few dozen requests never earns back (and a 100 MiB peak could not afford). Baseline (Liftoff) code
  // only reads a large artifact back slightly slower.
  // (node:v8 is imported here, not at the top: it loads node's streams, which --version never needs.)
  const { setFlagsFromString } = await import('node:v8');
  setFlagsFromString('--liftoff-only');
  // The exporter is a server that runs for weeks, its probes' data short-lived: V8's defaults (grow the
  // young generation to 32 MiB, let the old one reach ~4× what survived the last full GC) size the
  // heap for throughput and put 20 concurrent probes at 135–160 MiB peak RSS. Keeping the young
  // generation at its start size and the old one at 1.5× brings that to ~100 MiB for the same CPU per
  // check (bench/README.md, figure 5). Both flags are read by V8 at every resize, so setting them now,
  // after start-up, takes effect; a command that ends in a second keeps the defaults.
  if (argv[0] === 'exporter') for (const flag of SERVER_HEAP) setFlagsFromString(flag);
  const { createFactory } = await import('./factory.js');
  return runCli(
    argv,
    createFactory({
      io: processIo(),
      env: process.env,
      cwd: process.cwd(),
      version: VERSION,
      command: invokedAs(process.argv[1], process.cwd()),
    }),
  );
}

/**
 * The command a person typed to start this CLI: `hokus-check` when it ran from PATH (npm's link is
 * named so), else `node <script>` relative to the working directory, as from a fresh clone.
 */
export function invokedAs(script: string | undefined, cwd: string): string {
  if (script === undefined || basename(script) === 'hokus-check') return 'hokus-check';
  const rel = relative(cwd, script);
  return `node ${rel.startsWith('..') || rel === '' ? script : rel}`;
}

/** Parses argv, runs the command with `f`, and returns its exit code; never ends the process. */
export async function runCli(argv: string[], f: Factory): Promise<number> {
  const { Command, CommanderError, InvalidArgumentError, Option } = await import('commander');
  /** An output flag given twice would silently drop the first file: refused instead. */
  const once = (value: string, previous: unknown): string => {
    if (previous !== undefined) throw new InvalidArgumentError(`given twice (${String(previous)} and ${value}); give it once`);
    return value;
  };
  let code: number = EXIT.ok;
  /** The factory a command gets: --no-color turns colour off. */
  const forCommand = (opts: { color?: unknown }): Factory => (opts.color === false ? { ...f, io: withoutColor(f.io) } : f);
  // Before commander sees argv: a key on the command line is refused (never echoed), and every usage
  // error's text is redacted.
  const { refuseKeyInArgv, usageRedactor } = await import('./argv-guard.js');
  const refusal = refuseKeyInArgv(argv, f.env);
  if (refusal) {
    f.io.err(refusal);
    return EXIT.usage;
  }
  const redactUsage = usageRedactor(argv, f.env);

  const program: Command = new Command('hokus-check')
    .description('Can a user register a model on this Hokusai deployment right now? If not, which hop is broken and why.')
    .version(f.version, '-V, --version')
    .showSuggestionAfterError()
    .exitOverride()
    .addHelpText('after', () => `${HELP_AFTER}\n\n${checkOptionsHelp(program)}`)
    .configureOutput({
      writeOut: (str) => f.io.out(str),
      writeErr: (str) => f.io.err(str),
      // One line for a usage error, pointing at --help; never a stack trace.
      outputError: (str, write) =>
        write(
          `${redactUsage(str)
            .trim()
            .replace(/^error: /, 'hokus-check: ')
            .replace(/\s*\n\s*/g, ' ')} (see hokus-check --help)\n`,
        ),
    });

  checkFlags(
    program.command('check', { isDefault: true }).description('run the whole registration path against a deployment (the default command)'),
    true,
    once,
  ).action(async (opts: Record<string, unknown>) => {
    const { checkCommand } = await import('./commands/check.js');
    code = await checkCommand(opts, forCommand(opts));
  });

  checkFlags(
    program
      .command('demo')
      .description('start the embedded simulated stack, run the check against it, stop it')
      .addOption(
        new Option('-f, --fault <name>', 'inject a fault (repeatable; see: hokus-check sim --list-faults)').argParser(collect).default([]),
      )
      .option('--direct', "also give the check the stack's internal MLflow URL (--mlflow-direct-url)"),
    false,
    once,
  ).action(async (opts: Record<string, unknown>) => {
    const { demoCommand } = await import('./commands/demo.js');
    code = await demoCommand(opts, forCommand(opts));
  });

  program
    .command('sim')
    .description('serve the embedded simulated stack on loopback until Ctrl-C')
    .option('-p, --port <n>', 'registry (API service) port (default: a free port)')
    .option('--auth-port <n>', 'auth service port (default: a free port)')
    .option('--mlflow-port <n>', "MLflow's own port (default: a free port)")
    .option('--key <hk_test_…>', 'the test key the stack accepts (default: a generated hk_test_ key, printed)')
    .addOption(new Option('-f, --fault <name>', 'inject a fault (repeatable)').argParser(collect).default([]))
    .option('--list-faults', 'list the faults, one line each')
    .action(async (opts: Record<string, unknown>) => {
      const { simCommand } = await import('./commands/sim.js');
      code = await simCommand(opts, f);
    });

  program
    .command('exporter')
    .description('serve /probe?env=NAME (one check, Prometheus text) and /metrics, like blackbox_exporter')
    .option('--listen <host:port>', 'address to listen on', '127.0.0.1:9464')
    .option('--config <path>', 'config file with the environments (required; a file in the working directory is not used)')
    .addOption(
      new Option('-e, --env <name>', 'serve only these environments of the config (repeatable)').argParser(collect).default([], 'all'),
    )
    .option('--timeout-offset <duration>', "subtracted from the scrape's timeout (default: 10% of it, at most 500ms)")
    .addHelpText('after', () => exporterLimitsHelp())
    .action(async (opts: Record<string, unknown>) => {
      const { exporterCommand } = await import('./commands/exporter.js');
      code = await exporterCommand(opts, f);
    });

  program
    .command('explain')
    .description('explain a diagnosis code (what it means, how it is detected, how to fix and confirm); no code: list all')
    .argument('[code]', 'diagnosis code, e.g. ROUTE_ARTIFACTS_MISROUTED')
    .option('--markdown', 'list every code as a Markdown table (as in the README)')
    .action(async (diagnosisCode: string | undefined, opts: { markdown?: boolean }) => {
      const { explainCommand } = await import('./commands/explain.js');
      code = explainCommand(diagnosisCode, opts, f);
    });

  program
    .command('schema')
    .description('print the JSON Schema of the --json report (v1)')
    .action(async () => {
      const { schemaCommand } = await import('./commands/schema.js');
      code = schemaCommand(f);
    });

  program
    .command('init')
    .description('write an example hokus-check.config.json')
    .argument('[path]', 'where to write it', 'hokus-check.config.json')
    .option('--force', 'overwrite an existing file')
    .action(async (path: string, opts: { force?: boolean }) => {
      const { initCommand } = await import('./commands/init.js');
      code = initCommand(path, opts, f);
    });

  program
    .command('sweep')
    .description('delete leftovers of earlier crashed checks (tagged hokus-check.id), and only those')
    .option('--registry-url <url>', 'API service base URL')
    .option('--mlflow-path <path>', 'proxy mount of MLflow on the registry (default /api/mlflow)')
    .option('--mlflow-url <url>', 'a plain MLflow server')
    .option('--mlflow-direct-url <url>', 'internal MLflow URL for registry deletes (the proxy drops DELETE bodies)')
    .option('--api-key-env <name>', 'env var that holds the API key (default HOKUSAI_API_KEY)')
    .option('--api-key-stdin', 'read the API key from stdin')
    .option('--config <path>', 'config file')
    .option('-e, --env <name>', 'environment from the config file', collect, [])
    .option('--older-than <duration>', 'only leftovers older than this (default 1h)', '1h')
    .option('--dry-run', 'list what would be deleted, delete nothing')
    .option('--force', 'sweep even with --older-than shorter than a check can run (deadline + cleanup)')
    .option('--check-id <id>', 'only what this one check left behind (12 hex characters, as the check printed it), whatever its age')
    .option('--timeout <duration>', 'per-request timeout (default 10s)')
    .option('--insecure', 'do not verify TLS certificates')
    .option('--ca-file <path>', 'extra CA certificates (PEM) to trust')
    .option('--client-cert <path>', 'mutual TLS: client certificate (PEM; may hold the key too)')
    .option('--client-key <path>', "mutual TLS: the client certificate's private key (PEM)")
    .option('--json <file>', "write what was found and deleted as JSON ('-' for stdout)")
    .action(async (opts: Record<string, unknown>) => {
      const { sweepCommand } = await import('./commands/sweep.js');
      code = await sweepCommand(opts, f);
    });

  // `hokus-check dmeo` would reach the default command as an extra argument: name it for what it is.
  const first = argv[0];
  const names = [...program.commands.map((c: Command) => c.name()), 'help'];
  if (first !== undefined && !first.startsWith('-') && !names.includes(first)) {
    const { closest } = await import('./config/suggest.js');
    const hint = closest(first, names);
    f.io.err(
      `${redactUsage(`hokus-check: unknown command '${first}'`)}${hint ? `; did you mean '${hint}'?` : ''} (see hokus-check --help)\n`,
    );
    return EXIT.usage;
  }
  try {
    await program.parseAsync(argv, { from: 'user' });
    return code;
  } catch (err) {
    // --help and --version end here with exit code 0; usage errors were already printed as one line.
    if (err instanceof CommanderError) return err.exitCode === 0 ? EXIT.ok : EXIT.usage;
    const { reportFatal } = await import('./fatal.js');
    const { fatalOut } = await import('./factory.js');
    return reportFatal(err, fatalOut(f));
  }
}

const HELP_AFTER = `
Examples:
  export HOKUSAI_API_KEY=hk_live_…        # the key: from an env var (or --api-key-stdin), never argv
  hokus-check --registry-url https://registry.hokus.ai --auth-url https://auth.hokus.ai
  hokus-check --env prod --wait 5m --json out.json --junit junit.xml
  hokus-check demo --fault artifacts-misrouted

Exit codes: 0 passed · 1 a step failed · 2 usage/config error · 3 target unreachable · 4 internal error · 130 interrupted`;

/** The default command's options, for the top-level help: `hokus-check [options]` is `hokus-check check [options]`. */
function checkOptionsHelp(program: Command): string {
  const check = program.commands.find((c) => c.name() === 'check');
  if (check === undefined) return '';
  const help = check.helpInformation();
  const options = help.slice(help.indexOf('Options:') + 'Options:'.length);
  return `Check options (hokus-check [options] runs the check; hokus-check check --help shows the same):${options.trimEnd()}`;
}

/** Flags that shape a check; shared by `check` and `demo`. */
function checkFlags(cmd: Command, withTarget: boolean, once: (value: string, previous: unknown) => string): Command {
  if (withTarget) {
    cmd
      .option('--registry-url <url>', 'API service base URL, e.g. https://registry.hokus.ai')
      .option('--auth-url <url>', 'auth service base URL, e.g. https://auth.hokus.ai (absent: auth step skipped)')
      .option('--mlflow-path <path>', 'proxy mount of MLflow on the registry (default /api/mlflow)')
      .option('--mlflow-url <url>', 'check a plain MLflow server instead (no auth service, no proxy prefix; key optional)')
      .option('--service-id <id>', 'service the key must be valid for (default platform)')
      .option('--api-key-env <name>', 'env var that holds the API key (default HOKUSAI_API_KEY)')
      .option('--api-key-stdin', 'read the API key from stdin (like gh auth login --with-token)')
      .option('--client-cert <path>', 'mutual TLS: client certificate (PEM; may hold the key too), presented to the target only')
      .option('--client-key <path>', "mutual TLS: the client certificate's private key (PEM, not encrypted)")
      .option('--config <path>', 'config file (default ./hokus-check.config.json when present)')
      .option('-e, --env <name>', 'environment from the config file; repeat to check several side by side', collect, [])
      .option('--wait <duration>', 'before the check, poll health and auth until they pass or the duration ends (e.g. 5m)');
  }
  return cmd
    .option('--mlflow-direct-url <url>', 'internal MLflow URL: differential probe and registry deletes that bypass the proxy')
    .option('--timeout <duration>', 'per-request timeout (default 10s)')
    .option('--connect-timeout <duration>', 'connect timeout (default 5s)')
    .option('--deadline <duration>', 'deadline for the whole check (default 120s)')
    .option('--retries <n>', 'retries on transient errors: refused, reset, 502/503/504, 429 (default 2)')
    .option('--artifact-size <size>', 'size of the generated artifact, e.g. 4KiB, 200MiB, 1GiB (default 4KiB)')
    .option('--register-wait <duration>', 'how long a model version may stay PENDING_REGISTRATION (default 30s)')
    .option('--only <steps>', 'run only these steps (comma list; their dependencies are pulled in)')
    .option('--skip <steps>', 'skip these steps (comma list; dependents are reported blocked)')
    .option('--keep', 'keep what the check created and print its ids (no cleanup)')
    .option('--insecure', 'do not verify TLS certificates (a warning is printed and recorded)')
    .option('--no-trace-context', 'send no W3C traceparent header (default: one trace id per check, recorded in the report)')
    .option('--ca-file <path>', 'extra CA certificates (PEM) to trust')
    .option('--json <file>', "write the report v1 as JSON ('-' for stdout)", once)
    .option('--junit <file>', 'write JUnit XML (a testsuite per target, a testcase per step)', once)
    .option('--markdown <file>', 'write an incident-style Markdown report', once)
    .option('--har <file>', 'write every exchange as HAR 1.2 (redacted)', once)
    .option('--prometheus <file>', "write the metrics as Prometheus text, atomically (node_exporter's textfile collector)", once)
    .option(
      '--post-report <url>',
      'POST report.json, report.md and the HAR as multipart/form-data to this URL (the key is never sent there)',
    )
    .option('-v, --verbose', 'print each exchange as it happens (redacted)')
    .option('-q, --quiet', 'print only the summary line and the root cause')
    .option('--strict', 'warnings fail the gate too (exit 1): a bypassing artifact root, leftovers, a degraded component')
    .option('--no-color', 'no colours (also NO_COLOR)');
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}
