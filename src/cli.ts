// Command-line surface: commander turns flags into options, nothing else. Each command is defined
// here (its name, description, flags from cli-flags.ts and the action that imports its module);
// commander and each command's module are imported only when needed, so `--version` never loads
// commander and `--help` loads no command. `main` is the process's entry (bin/hokus-check.js ends the
// process with the code it returns); `runCli` is the same CLI over an injected Factory, which the
// in-process tests drive.
import { basename, relative } from 'node:path';
import type { Command } from '@commander-js/extra-typings';
import { DEFAULTS } from './config/defaults.js';
import { EXIT } from './exit-codes.js';
import { exporterLimitsHelp } from './exporter/limits.js';
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
  // Before commander sees argv: a key on the command line is refused (never echoed), and every usage
  // error's text is redacted.
  const { refuseKeyInArgv, usageRedactor } = await import('./argv-guard.js');
  const refusal = refuseKeyInArgv(argv, f.env);
  if (refusal) {
    f.io.err(refusal);
    return EXIT.usage;
  }
  const redactUsage = usageRedactor(argv, f.env);
  const cli = await defineCli(f, redactUsage);
  const unknown = await unknownCommand(argv, cli.program, redactUsage);
  if (unknown !== undefined) {
    f.io.err(unknown);
    return EXIT.usage;
  }
  return parse(cli, argv, f);
}

/** The program, and where the command that ran leaves its exit code. */
export interface Cli {
  program: Command;
  ran: { code: number };
}

/** What each command's definition is given: the factory, the flags (cli-flags.ts) and where its exit code goes. */
interface Wiring {
  f: Factory;
  flags: typeof import('./cli-flags.js');
  ran: { code: number };
}

/**
 * Every command defined, nothing parsed: commander and the flags are loaded here, a command's own
 * module only when it runs. Tests read the definitions (test/unit/cli-flags.test.ts).
 */
export async function defineCli(f: Factory, redactUsage: (text: string) => string = (text) => text): Promise<Cli> {
  const { Command } = await import('@commander-js/extra-typings');
  const flags = await import('./cli-flags.js');
  const ran: Cli['ran'] = { code: EXIT.ok };
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
  const wiring: Wiring = { f, flags, ran };
  for (const define of [defineCheck, defineDemo, defineSim, defineExporter, defineExplain, defineSchema, defineInit, defineSweep]) {
    define(program, wiring);
  }
  return { program, ran };
}

function defineCheck(program: Command, { f, flags, ran }: Wiring): void {
  const check = program
    .command('check', { isDefault: true })
    .description('run the whole registration path against a deployment (the default command)');
  flags.checkFlags(check).action(async (opts) => {
    const { checkCommand } = await import('./commands/check.js');
    ran.code = await checkCommand(opts, withColorFlag(f, opts));
  });
}

function defineDemo(program: Command, { f, flags, ran }: Wiring): void {
  const demo = program.command('demo').description('start the embedded simulated stack, run the check against it, stop it');
  flags.demoFlags(demo).action(async (opts) => {
    const { demoCommand } = await import('./commands/demo.js');
    ran.code = await demoCommand(opts, withColorFlag(f, opts));
  });
}

function defineSim(program: Command, { f, flags, ran }: Wiring): void {
  const sim = program.command('sim').description('serve the embedded simulated stack on loopback until Ctrl-C');
  flags.simFlags(sim).action(async (opts) => {
    const { simCommand } = await import('./commands/sim.js');
    ran.code = await simCommand(opts, f);
  });
}

function defineExporter(program: Command, { f, flags, ran }: Wiring): void {
  const exporter = program
    .command('exporter')
    .description('serve /probe?env=NAME (one check, Prometheus text) and /metrics, like blackbox_exporter');
  flags
    .exporterFlags(exporter)
    .addHelpText('after', () => exporterLimitsHelp())
    .action(async (opts) => {
      const { exporterCommand } = await import('./commands/exporter.js');
      ran.code = await exporterCommand(opts, f);
    });
}

function defineExplain(program: Command, { f, flags, ran }: Wiring): void {
  const explain = program
    .command('explain')
    .description('explain a diagnosis code (what it means, how it is detected, how to fix and confirm); no code: list all');
  flags
    .explainFlags(explain)
    .argument('[code]', 'diagnosis code, e.g. ROUTE_ARTIFACTS_MISROUTED')
    .action(async (diagnosisCode, opts) => {
      const { explainCommand } = await import('./commands/explain.js');
      ran.code = explainCommand(diagnosisCode, opts, f);
    });
}

function defineSchema(program: Command, { f, ran }: Wiring): void {
  program
    .command('schema')
    .description('print the JSON Schema of the --json report (v1)')
    .action(async () => {
      const { schemaCommand } = await import('./commands/schema.js');
      ran.code = schemaCommand(f);
    });
}

function defineInit(program: Command, { f, flags, ran }: Wiring): void {
  const init = program.command('init').description(`write an example ${DEFAULTS.config}`);
  flags
    .initFlags(init)
    .argument('[path]', 'where to write it', DEFAULTS.config)
    .action(async (path, opts) => {
      const { initCommand } = await import('./commands/init.js');
      ran.code = initCommand(path, opts, f);
    });
}

function defineSweep(program: Command, { f, flags, ran }: Wiring): void {
  const sweep = program.command('sweep').description('delete leftovers of earlier crashed checks (tagged hokus-check.id), and only those');
  flags.sweepFlags(sweep).action(async (opts) => {
    const { sweepCommand } = await import('./commands/sweep.js');
    ran.code = await sweepCommand(opts, f);
  });
}

/** The factory a check gets: --no-color turns colour off. */
function withColorFlag(f: Factory, opts: { color: boolean }): Factory {
  return opts.color ? f : { ...f, io: withoutColor(f.io) };
}

/**
 * `hokus-check dmeo` would reach the default command as an extra argument: named for what it is, with
 * the command it most likely meant. Undefined when argv starts with a command or a flag.
 */
async function unknownCommand(argv: string[], program: Command, redactUsage: (text: string) => string): Promise<string | undefined> {
  const first = argv[0];
  const names = [...program.commands.map((c) => c.name()), 'help'];
  if (first === undefined || first.startsWith('-') || names.includes(first)) return undefined;
  const { closest } = await import('./config/suggest.js');
  const hint = closest(first, names);
  return `${redactUsage(`hokus-check: unknown command '${first}'`)}${hint ? `; did you mean '${hint}'?` : ''} (see hokus-check --help)\n`;
}

/** Runs the command argv names and returns its exit code; --help, --version and usage errors end here too. */
async function parse({ program, ran }: Cli, argv: string[], f: Factory): Promise<number> {
  const { CommanderError } = await import('@commander-js/extra-typings');
  try {
    await program.parseAsync(argv, { from: 'user' });
    return ran.code;
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
  export ${DEFAULTS.apiKeyEnv}=hk_live_…        # the key: from an env var (or --api-key-stdin), never argv
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
