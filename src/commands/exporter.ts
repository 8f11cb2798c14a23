// `hokus-check exporter`: resolve every environment of the config (and its key) once, serve probes
// until SIGINT/SIGTERM, then let running checks clean up and return the exit code. Bad flags, a bad
// config or a missing key: one line each, exit 2, before anything listens.
import { UsageError } from '../config/errors.js';
import { checkDuration } from '../config/field-checks.js';
import { quoteSafely } from '../config/key-guard.js';
import { loadConfigFile } from '../config/load.js';
import { resolveSettings } from '../config/resolve.js';
import { EXIT } from '../exit-codes.js';
import { parseListen } from '../exporter/listen.js';
import type { ProbeEnvironment } from '../exporter/probe.js';
import { startExporter } from '../exporter/server.js';
import { fatalOut, type Factory } from '../factory.js';
import { reportFatal } from '../fatal.js';
import { createRedactor } from '../http/redact.js';
import { resolveKeys } from './keys.js';

export interface ExporterFlags {
  listen?: string;
  config?: string;
  env?: string[];
  timeoutOffset?: string;
}

export async function exporterCommand(opts: Record<string, unknown>, f: Factory): Promise<number> {
  const { io, version } = f;
  const flags = opts as ExporterFlags;
  let redact = (s: string) => s;
  try {
    const listen = parseListen(flags.listen ?? '127.0.0.1:9464');
    const offset = flags.timeoutOffset === undefined ? undefined : checkDuration(flags.timeoutOffset, false);
    if (offset?.problem !== undefined) throw new UsageError(`--timeout-offset: ${offset.problem}`);
    const environments = await resolveEnvironments(flags, f);
    const secrets = [...environments.values()].flatMap((e) => (e.key.key ? [e.key.key.value] : []));
    redact = createRedactor(secrets);

    const exporter = await startExporter({
      environments,
      version,
      env: f.env,
      listen,
      ...(offset?.value !== undefined ? { timeoutOffsetMs: offset.value } : {}),
      log: (line) => io.err(`hokus-check exporter: ${line}\n`),
    }).catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'EADDRINUSE' || err.code === 'EACCES' || err.code === 'EADDRNOTAVAIL' || err.code === 'ENOTFOUND') {
        throw new UsageError(`--listen ${quoteSafely(flags.listen ?? '127.0.0.1:9464')}: cannot listen there (${err.code})`);
      }
      throw err;
    });
    await new Promise<void>((resolve) => {
      const off = io.onSignal(() => {
        off();
        io.err('hokus-check exporter: stopping: running checks clean up first\n');
        resolve();
      });
    });
    await exporter.close();
    return EXIT.ok;
  } catch (err) {
    return reportFatal(err, fatalOut(f), redact);
  }
}

/** Each selected environment as its own Settings (options may differ between them) plus its key. */
async function resolveEnvironments(flags: ExporterFlags, f: Factory): Promise<Map<string, ProbeEnvironment>> {
  const loaded = loadConfigFile({ configFlag: flags.config, cwd: f.cwd });
  if (!loaded) throw new UsageError('no config file: the exporter probes the environments of one (give --config PATH, or run hokus-check init)');
  const defined = Object.keys(loaded.config.environments);
  const wanted = flags.env && flags.env.length > 0 ? flags.env.flatMap((e) => e.split(',')).map((e) => e.trim()).filter(Boolean) : defined;
  if (wanted.length === 0) throw new UsageError(`${loaded.label}: no environments defined`);
  const environments = new Map<string, ProbeEnvironment>();
  const problems: string[] = [];
  for (const name of wanted) {
    try {
      // Only the config file and the environment's own settings: no check flags here.
      const settings = resolveSettings({ flags: { config: loaded.path, env: [name] }, env: f.env, cwd: f.cwd });
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
