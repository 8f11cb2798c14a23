// Every command's flags, and the option types commander infers from them (@commander-js/extra-typings):
// each command's module takes its options as the type exported here (`import type` only), so a flag
// added, renamed or dropped here changes what the command sees, with no cast in between. cli.ts alone
// loads this module, inside runCli (it loads commander). Each flag is defined once; a group that
// several commands share is a function generic over the command, so the types stay inferred.
// Defaults a help text states come from config/defaults.ts; test/unit/cli-flags.test.ts reads them
// back, and holds the settings' flags to config/fields.ts.
import { InvalidArgumentError, Option, type Command, type OptionValues } from '@commander-js/extra-typings';
import { DEFAULTS } from './config/defaults.js';

/** A command of any arguments and options (a group adds its flags and keeps the rest of the type). */
type Cmd<A extends unknown[], O extends OptionValues, G extends OptionValues> = Command<A, O, G>;

/** The options commander hands a command's action, as inferred from the flags `define` adds. */
type OptionsOf<F extends (cmd: Command) => Command<unknown[], OptionValues, OptionValues>> = ReturnType<ReturnType<F>['opts']>;

// ── Flags more than one command takes ───────────────────────────────────────────────────────────

/** Where the target is: `check` and `sweep`. */
function targetFlags<A extends unknown[], O extends OptionValues, G extends OptionValues>(cmd: Cmd<A, O, G>) {
  return cmd
    .option('--registry-url <url>', 'API service base URL, e.g. https://registry.hokus.ai')
    .option('--mlflow-path <path>', `proxy mount of MLflow on the registry (default ${DEFAULTS.mlflowPath})`)
    .option('--mlflow-url <url>', 'a plain MLflow server instead (no auth service, no proxy prefix; key optional)');
}

/** The key, the client certificate and the config file's environments: `check` and `sweep`. */
function accessFlags<A extends unknown[], O extends OptionValues, G extends OptionValues>(cmd: Cmd<A, O, G>, envHelp: string) {
  return cmd
    .option('--api-key-env <name>', `env var that holds the API key (default ${DEFAULTS.apiKeyEnv})`)
    .option('--api-key-stdin', 'read the API key from stdin (like gh auth login --with-token)')
    .option('--client-cert <path>', 'mutual TLS: client certificate (PEM; may hold the key too), presented to the target only')
    .option('--client-key <path>', "mutual TLS: the client certificate's private key (PEM, not encrypted)")
    .option('--config <path>', `config file (default ${DEFAULTS.config} in the working directory, when present)`)
    .addOption(new Option('-e, --env <name>', envHelp).argParser(collect).default<string[]>([]));
}

/** The internal MLflow URL: `check`, `demo` and `sweep`. */
function directUrlFlag<A extends unknown[], O extends OptionValues, G extends OptionValues>(cmd: Cmd<A, O, G>) {
  return cmd.option(
    '--mlflow-direct-url <url>',
    'internal MLflow URL: registry deletes that bypass the proxy (it drops DELETE bodies), and the differential probe',
  );
}

/** `check`, `demo` and `sweep`. */
function timeoutFlag<A extends unknown[], O extends OptionValues, G extends OptionValues>(cmd: Cmd<A, O, G>) {
  return cmd.option('--timeout <duration>', `per-request timeout (default ${DEFAULTS.timeout})`);
}

/** Trust in the target's TLS: `check`, `demo` and `sweep`. */
function tlsFlags<A extends unknown[], O extends OptionValues, G extends OptionValues>(cmd: Cmd<A, O, G>) {
  return cmd
    .option('--insecure', "do not verify TLS certificates (said in a warning, and recorded in a check's report)")
    .option('--ca-file <path>', 'extra CA certificates (PEM) to trust');
}

/** How the check runs: `check` and `demo`. */
function checkRunFlags<A extends unknown[], O extends OptionValues, G extends OptionValues>(cmd: Cmd<A, O, G>) {
  const timing = timeoutFlag(directUrlFlag(cmd))
    .option('--connect-timeout <duration>', `connect timeout (default ${DEFAULTS.connectTimeout})`)
    .option('--deadline <duration>', `deadline for the whole check (default ${DEFAULTS.deadline})`)
    .option('--retries <n>', `retries on transient errors: refused, reset, 502/503/504, 429 (default ${DEFAULTS.retries})`)
    .option('--artifact-size <size>', `size of the generated artifact, e.g. 4KiB, 200MiB, 1GiB (default ${DEFAULTS.artifactSize})`)
    .option('--register-wait <duration>', `how long a model version may stay PENDING_REGISTRATION (default ${DEFAULTS.registerWait})`)
    .option('--only <steps>', 'run only these steps (comma list; their dependencies are pulled in)')
    .option('--skip <steps>', 'skip these steps (comma list; dependents are reported blocked)')
    .option('--keep', 'keep what the check created and print its ids (no cleanup)');
  return tlsFlags(timing).option(
    '--no-trace-context',
    'send no W3C traceparent header (default: one trace id per check, recorded in the report)',
  );
}

/** What the check writes and prints: `check` and `demo`. */
function checkOutputFlags<A extends unknown[], O extends OptionValues, G extends OptionValues>(cmd: Cmd<A, O, G>) {
  return cmd
    .addOption(new Option('--json <file>', "write the report v1 as JSON ('-' for stdout)").argParser(once))
    .addOption(new Option('--junit <file>', 'write JUnit XML (a testsuite per target, a testcase per step)').argParser(once))
    .addOption(new Option('--markdown <file>', 'write an incident-style Markdown report').argParser(once))
    .addOption(new Option('--har <file>', 'write every exchange as HAR 1.2 (redacted)').argParser(once))
    .addOption(
      new Option('--prometheus <file>', "write the metrics as Prometheus text, atomically (node_exporter's textfile collector)").argParser(
        once,
      ),
    )
    .option(
      '--post-report <url>',
      'POST report.json, report.md and the HAR as multipart/form-data to this URL (the key is never sent there)',
    )
    .option('-v, --verbose', 'print each exchange as it happens (redacted)')
    .option('-q, --quiet', 'print only the summary line and the root cause')
    .option('--strict', 'warnings fail the gate too (exit 1): a bypassing artifact root, leftovers, a degraded component')
    .option('--no-color', 'no colours (also NO_COLOR)');
}

/** `demo` and `sim`. */
function faultFlag<A extends unknown[], O extends OptionValues, G extends OptionValues>(cmd: Cmd<A, O, G>, description: string) {
  return cmd.addOption(new Option('-f, --fault <name>', description).argParser(collect).default<string[]>([]));
}

/** `init` and `sweep`. */
function forceFlag<A extends unknown[], O extends OptionValues, G extends OptionValues>(cmd: Cmd<A, O, G>, description: string) {
  return cmd.option('--force', description);
}

// ── Each command's flags ────────────────────────────────────────────────────────────────────────

export function checkFlags(cmd: Command) {
  const where = targetFlags(cmd)
    .option('--auth-url <url>', 'auth service base URL, e.g. https://auth.hokus.ai (absent: auth step skipped)')
    .option('--service-id <id>', `service the key must be valid for (default ${DEFAULTS.serviceId})`);
  const before = accessFlags(where, 'environment from the config file; repeat to check several side by side').option(
    '--wait <duration>',
    'before the check, poll health and auth until they pass or the duration ends (e.g. 5m)',
  );
  return checkOutputFlags(checkRunFlags(before));
}

export function demoFlags(cmd: Command) {
  const demo = faultFlag(cmd, 'inject a fault (repeatable; see: hokus-check sim --list-faults)').option(
    '--direct',
    "also give the check the stack's internal MLflow URL (--mlflow-direct-url)",
  );
  return checkOutputFlags(checkRunFlags(demo));
}

export function simFlags(cmd: Command) {
  const ports = cmd
    .option('-p, --port <n>', 'registry (API service) port (default: a free port)')
    .option('--auth-port <n>', 'auth service port (default: a free port)')
    .option('--mlflow-port <n>', "MLflow's own port (default: a free port)")
    .option('--key <hk_test_…>', 'the test key the stack accepts (default: a generated hk_test_ key, printed)');
  return faultFlag(ports, 'inject a fault (repeatable)').option('--list-faults', 'list the faults, one line each');
}

export function exporterFlags(cmd: Command) {
  return cmd
    .addOption(new Option('--listen <host:port>', 'address to listen on').default(DEFAULTS.listen))
    .option('--config <path>', 'config file with the environments (required; a file in the working directory is not used)')
    .addOption(
      new Option('-e, --env <name>', 'serve only these environments of the config (repeatable)')
        .argParser(collect)
        .default<string[]>([], 'all'),
    )
    .option('--timeout-offset <duration>', "subtracted from the scrape's timeout (default: 10% of it, at most 500ms)");
}

export function explainFlags(cmd: Command) {
  return cmd.option('--markdown', 'list every code as a Markdown table (as in the README)');
}

export function initFlags(cmd: Command) {
  return forceFlag(cmd, 'overwrite an existing file');
}

export function sweepFlags(cmd: Command) {
  const where = accessFlags(directUrlFlag(targetFlags(cmd)), 'the environment from the config file to sweep');
  const which = forceFlag(
    where
      .addOption(new Option('--older-than <duration>', 'only leftovers older than this').default(DEFAULTS.olderThan))
      .option('--dry-run', 'list what would be deleted, delete nothing'),
    'sweep even with --older-than shorter than a check can run (deadline + cleanup)',
  ).option('--check-id <id>', 'only what this one check left behind (12 hex characters, as the check printed it), whatever its age');
  return tlsFlags(timeoutFlag(which)).option('--json <file>', "write what was found and deleted as JSON ('-' for stdout)");
}

export type CheckFlags = OptionsOf<typeof checkFlags>;
export type DemoFlags = OptionsOf<typeof demoFlags>;
export type SimFlags = OptionsOf<typeof simFlags>;
export type ExporterFlags = OptionsOf<typeof exporterFlags>;
export type ExplainFlags = OptionsOf<typeof explainFlags>;
export type InitFlags = OptionsOf<typeof initFlags>;
export type SweepFlags = OptionsOf<typeof sweepFlags>;

/** An output flag given twice would silently drop the first file: refused instead. */
function once(value: string, previous: string | undefined): string {
  if (previous !== undefined) throw new InvalidArgumentError(`given twice (${previous} and ${value}); give it once`);
  return value;
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}
