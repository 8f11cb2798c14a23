// `hokus-check exporter`: resolve every environment of the config named by --config (and its key)
// once, serve probes until SIGINT/SIGTERM/SIGQUIT, then let running checks clean up and return the exit
// code. SIGHUP reloads the config. Bad flags, a bad config or a missing key: one line each, exit 2,
// before anything listens.
//
// --config is required. `check` may use a hokus-check.config.json it finds in the working directory,
// under rules (src/config/key-guard.ts, discoveredFileProblems): such a file may name only HOKUSAI_*
// variables for the key, and its URLs serve only an environment the user named. An exporter cannot
// keep the second rule — its environments are named by whoever reaches its port, `?env=` — and it is
// a service whose working directory nobody chose for a config (a systemd unit's, a container's, the
// checkout a shell happened to be in), which it re-reads on every SIGHUP. So it uses no file the user
// did not name (test/e2e/exporter-trust.test.ts).
import { existsSync } from 'node:fs';
import { resolve as resolvePath } from 'node:path';
import type { ExporterFlags } from '../cli-flags.js';
import { UsageError } from '../config/errors.js';
import { checkDuration } from '../config/field-checks.js';
import { quoteSafely } from '../config/key-guard.js';
import { CONFIG_FILE_NAME, readConfigText } from '../config/load.js';
import { loadConfigQuietly, resolveSettings } from '../config/resolve.js';
import { EXIT } from '../exit-codes.js';
import { parseListen } from '../exporter/listen.js';
import type { ProbeEnvironment } from '../exporter/probe.js';
import { startExporter } from '../exporter/server.js';
import { fatalOut, type Factory } from '../factory.js';
import { reportFatal } from '../fatal.js';
import { createRedactor, type RedactionSecret } from '../http/redact.js';
import { resolveKeys, secretsOf } from './keys.js';

export async function exporterCommand(flags: ExporterFlags, f: Factory): Promise<number> {
  const { io, version } = f;
  // Every key any config named (a reload may add some): fatal messages and log lines are redacted with all.
  const secrets = new Map<string, RedactionSecret>();
  let redact = (s: string) => s;
  const remember = (environments: ReadonlyMap<string, ProbeEnvironment>) => {
    for (const e of environments.values()) for (const s of secretsOf(e.key)) secrets.set(typeof s === 'string' ? s : s.value, s);
    redact = createRedactor([...secrets.values()]);
  };
  const log = (line: string) => io.err(`hokus-check exporter: ${redact(line)}\n`);
  try {
    const listen = parseListen(flags.listen);
    const offset = flags.timeoutOffset === undefined ? undefined : checkDuration(flags.timeoutOffset, false);
    if (offset?.problem !== undefined) throw new UsageError(`--timeout-offset: ${offset.problem}`);
    const config = flags.config;
    if (config === undefined) throw new UsageError(noConfigMessage(f.cwd));
    const environments = await resolveEnvironments(config, flags.env, f);
    remember(environments);

    const exporter = await startExporter({
      environments,
      version,
      env: f.env,
      listen,
      ...(offset?.value !== undefined ? { timeoutOffsetMs: offset.value } : {}),
      log,
    }).catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'EADDRINUSE' || err.code === 'EACCES' || err.code === 'EADDRNOTAVAIL' || err.code === 'ENOTFOUND') {
        throw new UsageError(`--listen ${quoteSafely(flags.listen)}: cannot listen there (${err.code})`);
      }
      throw err;
    });

    // SIGHUP: re-read and re-validate the config exactly as at start-up (keys included); on any
    // problem keep serving the previous one and say why in one line. Reloads run one at a time; a
    // SIGHUP during one asks for one more after it (the file may have changed again).
    const path = resolvePath(f.cwd, config);
    let stopping = false;
    let reloading: Promise<void> | undefined;
    let again = false;
    const reloadOnce = async (): Promise<void> => {
      try {
        const next = await resolveEnvironments(config, flags.env, f);
        if (stopping) return;
        remember(next);
        exporter.replaceEnvironments(next);
        exporter.metrics.configReloaded(true);
        log(`reloaded ${path} (environments: ${[...next.keys()].join(', ')})`);
      } catch (err) {
        exporter.metrics.configReloaded(false);
        const why = err instanceof UsageError ? err.lines.join('; ') : err instanceof Error ? err.message : String(err);
        log(`reload failed, still serving the previous config: ${why}`);
      }
    };
    const reload = () => {
      if (stopping) return;
      if (reloading) {
        again = true;
        return;
      }
      reloading = (async () => {
        do {
          again = false;
          await reloadOnce();
        } while (again && !stopping);
        reloading = undefined;
      })();
    };

    // The first SIGINT/SIGTERM/SIGQUIT stops: running checks end their steps and clean up. A second
    // one returns at once (exit 130), as for a check. SIGHUP is never a stop, also not while stopping.
    let forced: () => void = () => undefined;
    const forcedStop = new Promise<void>((resolve) => (forced = resolve));
    let off: () => void = () => undefined;
    await new Promise<void>((stopped) => {
      off = io.onSignal((signal) => {
        if ((signal as string) === 'SIGHUP') return reload();
        if (stopping) return forced();
        stopping = true;
        io.err('hokus-check exporter: stopping: running checks clean up first\n');
        stopped();
      });
    });
    try {
      const closed = exporter.close().then(() => true);
      if (!(await Promise.race([closed, forcedStop.then(() => false)]))) {
        io.err('hokus-check exporter: stopped at once: checks still running did not finish their cleanup\n');
        return EXIT.interrupted;
      }
      await reloading;
    } finally {
      off();
    }
    return EXIT.ok;
  } catch (err) {
    return reportFatal(err, fatalOut(f), redact);
  }
}

/** The usage error without --config: names the file it will not use when there is one (never read). */
function noConfigMessage(cwd: string): string {
  const found = resolvePath(cwd, CONFIG_FILE_NAME);
  const why = existsSync(found) ? `${found} was found in the working directory and is not used` : 'hokus-check init writes one';
  return `the exporter serves only a config file you name: give --config PATH (${why})`;
}

/**
 * Each selected environment of the config at `config` as its own Settings (options may differ between
 * them) plus its key. The user named the file, so it is read as `check --config` reads it.
 */
async function resolveEnvironments(config: string, selected: string[] | undefined, f: Factory): Promise<Map<string, ProbeEnvironment>> {
  // Read once: every environment is resolved from the same text, also when a reload races an edit.
  const path = resolvePath(f.cwd, config);
  // Bounded and regular files only, as for `check --config` (src/config/load.ts).
  const text = readConfigText(path);
  const readFile = (p: string) => (p === path ? text : undefined);
  const loaded = loadConfigQuietly({ config, env: f.env, cwd: f.cwd, readFile });
  if (!loaded) throw new UsageError(noConfigMessage(f.cwd));
  const defined = Object.keys(loaded.config.environments);
  const wanted =
    selected && selected.length > 0
      ? selected
          .flatMap((e) => e.split(','))
          .map((e) => e.trim())
          .filter(Boolean)
      : defined;
  if (wanted.length === 0) throw new UsageError(`${loaded.label}: no environments defined`);
  const environments = new Map<string, ProbeEnvironment>();
  const problems: string[] = [];
  for (const name of wanted) {
    try {
      // Only the config file and the environment's own settings: no check flags here.
      const settings = resolveSettings({ flags: { config, env: [name] }, env: f.env, cwd: f.cwd, readFile });
      const keys = await resolveKeys(settings, false, f);
      const key = keys.get(name) ?? { hadWhitespace: false };
      environments.set(name, { settings, key });
    } catch (err) {
      if (!(err instanceof UsageError)) throw err;
      problems.push(...err.lines.map((l) => (l.includes(name) ? l : `environment ${quoteSafely(name)}: ${l}`)));
    }
  }
  if (problems.length > 0) throw new UsageError([...new Set(problems)]);
  return environments;
}
