// Settings from flags, env, the config file and built-in defaults (ARCHITECTURE.md, "Code map": src/config).
//
// Precedence, per field: flag > env var (HOKUS_CHECK_*) > the selected environment in the file > the
// file's "defaults" > built-in default. With several --env, target fields given by flag or env var
// apply to every environment (`--env staging,prod --service-id x` checks both with service id x).
// Check options (timeouts, retries, artifact size, …) are one set for the whole run, so when several
// selected environments set one differently in the file, that is an error: set it in "defaults" or by
// flag. An env var set to '' counts as unset (CI systems often export empty variables).
// Durations are '500ms', '10s', '5m', '1h30m'; a bare number is seconds. Sizes are '4KiB', '1MB', bytes.
import { dirname, resolve as resolvePath } from 'node:path';
import type { CheckOptions, ClientCertificate, StepId, Target } from '../steps/types.js';
import { loadClientCertificate } from './client-cert.js';
import { DEFAULTS } from './defaults.js';
import { UsageError, withoutSecrets } from './errors.js';
import {
  checkBaseUrl,
  checkDuration,
  checkEnvVarName,
  checkFilePath,
  checkMlflowPath,
  checkRetries,
  checkServiceId,
  checkSize,
  type Checked,
} from './field-checks.js';
import { FIELDS } from './fields.js';
import { type ConfigEntry, formatPath, OPTION_FIELDS, type OptionField, TARGET_FIELDS, type TargetField } from './file-schema.js';
import { CONFIG_FILE_NAME, type LoadedConfig, loadConfigFile, type ReadFile } from './load.js';
import { discoveredFileProblems, quoteSafely } from './key-guard.js';
import { MLFLOW_ENV, MLFLOW_SECRET_VARS, mlflowTls, trackingUriTarget, withMlflowCredentials } from './mlflow-env.js';
import { parseStepList } from './step-list.js';
import { closest } from './suggest.js';
import { userinfoOf } from './urls.js';

/**
 * Flags as commander hands them (strings/booleans/arrays; undefined when not given): every setting of
 * FIELDS as text, and the flags that are not settings. The commands hand their options as the CLI
 * infers them from its definitions (cli-flags.ts), which must fit this.
 */
export interface FlagValues extends Partial<Record<TargetField | OptionField, string>> {
  config?: string;
  env?: string[];
  apiKeyStdin?: boolean;
  wait?: string;
  insecure?: boolean;
  /** false with --no-trace-context (commander's negated flag); undefined or true: traceparent is sent. */
  traceContext?: boolean;
  caFile?: string;
  keep?: boolean;
  only?: string;
  skip?: string;
}

export interface Settings {
  /** One per --env (in the given order), or one named 'default' from flags/env/file defaults. */
  targets: Target[];
  check: CheckOptions & {
    connectTimeoutMs: number;
    retries: number;
    waitMs: number;
    insecure: boolean;
    traceContext: boolean;
    caFile?: string;
  };
  only?: StepId[];
  skip?: StepId[];
  /** Absolute path of the config file used, if any. */
  configPath?: string;
  /**
   * Where TLS settings came from when not from --insecure/--ca-file: MLflow's variables
   * (MLFLOW_TRACKING_INSECURE_TLS=true, MLFLOW_TRACKING_SERVER_CERT_PATH), for messages.
   */
  tlsFrom?: { insecure?: string; caFile?: string };
  /**
   * What the run was told by MLflow's variables (config/mlflow-env.ts), one line each, for the start of
   * the output: 'target from MLFLOW_TRACKING_URI: …' first, then variables set and not used.
   */
  notices?: string[];
}

export const NO_TARGET =
  'no target: give --registry-url (and --auth-url), --mlflow-url, or --env NAME with a config file (hokus-check init writes one)';

/** Resolve everything the check needs; throws UsageError listing every problem, one per line. */
/**
 * The config file alone, for a command that lists its environments (the exporter): as `resolveSettings`
 * reads it, its problems with every secret the environment names hidden.
 */
export function loadConfigQuietly(input: {
  config: string;
  env: Record<string, string | undefined>;
  cwd: string;
  readFile?: ReadFile;
}): LoadedConfig | undefined {
  try {
    return loadConfigFile({ configFlag: input.config, cwd: input.cwd, readFile: input.readFile });
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    const env = (name: string): string | undefined => (input.env[name] === '' ? undefined : input.env[name]);
    throw new UsageError(withoutSecrets(error.lines, knownSecrets({ config: input.config }, env, undefined)));
  }
}

export function resolveSettings(input: {
  flags: FlagValues;
  env: Record<string, string | undefined>;
  cwd: string;
  readFile?: ReadFile;
}): Settings {
  const { flags, cwd } = input;
  const env = (name: string): string | undefined => (input.env[name] === '' ? undefined : input.env[name]);
  const problems: string[] = [];

  let loaded: LoadedConfig | undefined;
  let fileBroken = false;
  try {
    loaded = loadConfigFile({ configFlag: flags.config, cwd, readFile: input.readFile });
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    problems.push(...error.lines);
    fileBroken = true;
  }

  const flagLayer = layerFromText((field) => [FIELDS[field].flag, flags[field]], problems);
  const envLayer = layerFromText((field) => {
    const name = FIELDS[field].env;
    return [name ?? '', name === undefined ? undefined : env(name)];
  }, problems);
  const selection = selectEnvironments(flags.env, env('HOKUS_CHECK_ENV'), loaded, fileBroken, cwd, problems);

  const targets: Target[] = [];
  const notices: string[] = [];
  const optionsPerTarget: Array<{ name: string; options: Layer }> = [];
  if (!fileBroken && selection.ok) {
    const defaults = layerFromFile(loaded?.config.defaults, ['defaults'], loaded?.label);
    for (const name of selection.names ?? ['default']) {
      const entry = selection.names ? layerFromFile(loaded?.config.environments[name], ['environments', name], loaded?.label) : {};
      // MLflow's MLFLOW_TRACKING_URI: the target of a run that names none otherwise (config/mlflow-env.ts).
      const named = [flagLayer, envLayer, entry, defaults];
      const trackingUri = selection.names === undefined ? trackingUriLayer(named, env, problems, notices) : {};
      const layers = [...named, trackingUri, BUILT_IN];
      if (loaded && flags.config === undefined)
        problems.push(...discoveredFileProblems(layers, selection.names !== undefined, loaded.label));
      const built = buildTarget(name, selection.names !== undefined, layers, loaded, cwd, problems);
      const keyEnv = layers.find((layer) => layer.apiKeyEnv)?.apiKeyEnv;
      const explicitKey =
        flags.apiKeyStdin === true ? '--api-key-stdin' : keyEnv && keyEnv.layer !== 'built-in' ? keyEnv.source : undefined;
      const target = built && withMlflowCredentials(built, env, explicitKey, notices);
      if (target) targets.push(target);
      optionsPerTarget.push({ name, options: pickOptions(layers) });
    }
  }
  const options = agreeOnOptions(optionsPerTarget, problems);

  const wait = flags.wait === undefined ? { value: 0 } : checkDuration(flags.wait, false);
  if (wait.problem !== undefined) problems.push(`--wait: ${wait.problem}`);
  const steps = stepSelection(flags, problems);
  // MLflow's TLS variables, for a run of plain MLflow servers only; --insecure and --ca-file replace them.
  const tls = mlflowTls(
    env,
    {
      applies: targets.length > 0 && targets.every((t) => t.kind === 'mlflow'),
      flagsGiven: flags.insecure === true || flags.caFile !== undefined,
      cwd,
    },
    problems,
  );
  if (tls.clientCert !== undefined) useMlflowClientCert(targets, tls.clientCert, problems);

  // A key or a URL's password typed into the wrong field is quoted by that field's message: hidden.
  if (problems.length > 0) throw new UsageError(withoutSecrets([...new Set(problems)], knownSecrets(flags, env, loaded)));
  return {
    targets,
    check: {
      timeoutMs: options.timeout,
      connectTimeoutMs: options.connectTimeout,
      deadlineMs: options.deadline,
      retries: options.retries,
      artifactSize: options.artifactSize,
      registerWaitMs: options.registerWait,
      registerPollMs: REGISTER_POLL_MS,
      waitMs: wait.value ?? 0,
      keep: flags.keep === true,
      insecure: flags.insecure === true || tls.insecure === true,
      traceContext: flags.traceContext !== false,
      ...(flags.caFile !== undefined ? { caFile: resolvePath(cwd, flags.caFile) } : tls.caFile !== undefined ? { caFile: tls.caFile } : {}),
    },
    ...steps,
    ...(loaded ? { configPath: loaded.path } : {}),
    ...(tls.insecureFrom || tls.caFileFrom
      ? { tlsFrom: { ...(tls.insecureFrom ? { insecure: tls.insecureFrom } : {}), ...(tls.caFileFrom ? { caFile: tls.caFileFrom } : {}) } }
      : {}),
    ...(notices.length > 0 ? { notices } : {}),
  };
}

/**
 * MLFLOW_TRACKING_CLIENT_CERT_PATH — one PEM with the certificate and its key, as MLflow hands it to
 * requests' `cert=` — for the targets that name no certificate of their own; read and checked as
 * --client-cert is, once.
 */
function useMlflowClientCert(targets: Target[], path: string, problems: string[]): void {
  if (targets.every((t) => t.clientCert)) return;
  let cert: ClientCertificate;
  try {
    cert = loadClientCertificate({ path, source: MLFLOW_ENV.clientCert });
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    problems.push(...error.lines);
    return;
  }
  for (const [i, t] of targets.entries()) if (!t.clientCert) targets[i] = { ...t, clientCert: cert };
}

/**
 * MLFLOW_TRACKING_URI as a layer of its own, below everything that names a target: used only when no
 * flag, HOKUS_CHECK_* variable or file layer sets registryUrl, authUrl or mlflowUrl. A bad value stays
 * present after its problem is reported (no second, misleading "no target" line).
 */
function trackingUriLayer(layers: Layer[], env: (name: string) => string | undefined, problems: string[], notices: string[]): Layer {
  const raw = env(MLFLOW_ENV.uri);
  if (raw === undefined || layers.some((l) => l.registryUrl || l.authUrl || l.mlflowUrl)) return {};
  const checked = trackingUriTarget(raw);
  if (checked.problem !== undefined) problems.push(checked.problem);
  else notices.unshift(`target from ${MLFLOW_ENV.uri}: ${checked.value}`);
  return { mlflowUrl: { value: checked.value ?? raw, raw, source: MLFLOW_ENV.uri, layer: 'env' } };
}

/** Keys shorter than this are refused as placeholders (src/commands/keys.ts) and not hidden here. */
const MIN_KEY_LENGTH = 8;
const URL_FIELDS = ['registryUrl', 'authUrl', 'mlflowUrl', 'mlflowDirectUrl'] as const;

/**
 * The secrets this run was given, for its error messages: the value of every variable a key may be
 * read from (HOKUSAI_API_KEY, --api-key-env, HOKUS_CHECK_API_KEY_ENV, the file's apiKeyEnv names) and
 * the credentials (user:password@) of every URL given by flag, variable or file.
 */
function knownSecrets(flags: FlagValues, env: (name: string) => string | undefined, loaded: LoadedConfig | undefined): string[] {
  const entries = loaded ? [loaded.config.defaults, ...Object.values(loaded.config.environments)].filter((e) => e !== undefined) : [];
  const keyNames = new Set([
    DEFAULTS.apiKeyEnv,
    ...MLFLOW_SECRET_VARS,
    flags.apiKeyEnv,
    env('HOKUS_CHECK_API_KEY_ENV'),
    ...entries.map((e) => e.apiKeyEnv),
  ]);
  const keys = [...keyNames]
    .map((name) => (name === undefined ? undefined : env(name)?.trim()))
    .filter((v): v is string => v !== undefined && v.length >= MIN_KEY_LENGTH);
  const urls = [
    env(MLFLOW_ENV.uri),
    ...URL_FIELDS.flatMap((field) => [
      flags[field],
      FIELDS[field].env === undefined ? undefined : env(FIELDS[field].env),
      ...entries.map((e) => e[field]),
    ]),
  ];
  const credentials = urls.flatMap((url) => {
    const userinfo = url === undefined ? undefined : userinfoOf(url);
    if (userinfo === undefined) return [];
    const colon = userinfo.indexOf(':');
    return colon < 0 ? [] : [userinfo.slice(colon + 1), userinfo];
  });
  return [...keys, ...credentials];
}

const REGISTER_POLL_MS = 100;

/** A value and where it came from, for messages: '--mlflow-url', 'HOKUS_CHECK_…', 'environments.x.y in file'. */
interface Setting<T> {
  value: T;
  raw: string;
  source: string;
  /** 'defaults' and 'built-in' values are background; a conflict with them is not the user's doing. */
  layer: 'flag' | 'env' | 'entry' | 'defaults' | 'built-in';
}
type Layer = { [F in TargetField]?: Setting<string> } & { [F in OptionField]?: Setting<number> };
type Options = Record<OptionField, number>;

const TARGET_CHECKS: Record<TargetField, (raw: string) => Checked<string>> = {
  registryUrl: checkBaseUrl,
  authUrl: checkBaseUrl,
  mlflowPath: checkMlflowPath,
  mlflowUrl: checkBaseUrl,
  mlflowDirectUrl: checkBaseUrl,
  serviceId: checkServiceId,
  apiKeyEnv: checkEnvVarName,
  clientCert: checkFilePath,
  clientKey: checkFilePath,
};

const OPTION_CHECKS: Record<OptionField, (raw: string | number) => Checked<number>> = {
  timeout: (raw) => checkDuration(String(raw), true),
  connectTimeout: (raw) => checkDuration(String(raw), true),
  deadline: (raw) => checkDuration(String(raw), true),
  retries: checkRetries,
  artifactSize: (raw) => checkSize(String(raw)),
  registerWait: (raw) => checkDuration(String(raw), false),
};

/** The built-in defaults (config/defaults.ts) as a layer, parsed by the checks a flag's text gets. */
const BUILT_IN: Layer = builtInLayer();

function builtInLayer(): Layer {
  const layer: Layer = {};
  for (const field of ['mlflowPath', 'serviceId', 'apiKeyEnv'] as const) layer[field] = builtIn(DEFAULTS[field], DEFAULTS[field]);
  for (const field of OPTION_FIELDS) {
    const checked = OPTION_CHECKS[field](DEFAULTS[field]);
    if (checked.problem !== undefined) throw new Error(`DEFAULTS.${field}: ${checked.problem}`);
    layer[field] = builtIn(checked.value, DEFAULTS[field]);
  }
  return layer;
}

/**
 * A layer from flags or env vars: each value checked, problems reported once under the flag or variable
 * name. A bad target field stays present (so no second, misleading "no target" line); a bad option goes.
 */
function layerFromText(lookup: (field: TargetField | OptionField) => [string, string | undefined], problems: string[]): Layer {
  const layer: Layer = {};
  const kind = (source: string): Setting<unknown>['layer'] => (source.startsWith('--') ? 'flag' : 'env');
  for (const field of TARGET_FIELDS) {
    const [source, raw] = lookup(field);
    if (raw === undefined) continue;
    const checked = TARGET_CHECKS[field](raw);
    if (checked.problem !== undefined) problems.push(`${source}: ${checked.problem}`);
    layer[field] = { value: checked.value ?? raw, raw, source, layer: kind(source) };
  }
  for (const field of OPTION_FIELDS) {
    const [source, raw] = lookup(field);
    if (raw === undefined) continue;
    const checked = OPTION_CHECKS[field](raw);
    if (checked.problem !== undefined) problems.push(`${source}: ${checked.problem}`);
    else layer[field] = { value: checked.value, raw, source, layer: kind(source) };
  }
  return layer;
}

/** A layer from a validated file entry ("defaults" or one environment), normalised. */
function layerFromFile(entry: ConfigEntry | undefined, path: string[], label: string | undefined): Layer {
  const layer: Layer = {};
  if (!entry) return layer;
  const kind = path[0] === 'defaults' ? 'defaults' : 'entry';
  const source = (field: string) => `${formatPath([...path, field])} in ${label ?? CONFIG_FILE_NAME}`;
  for (const field of TARGET_FIELDS) {
    const raw = entry[field];
    if (raw === undefined) continue;
    // The schema accepted it, so the check only normalises.
    layer[field] = { value: TARGET_CHECKS[field](raw).value ?? raw, raw, source: source(field), layer: kind };
  }
  for (const field of OPTION_FIELDS) {
    const raw = entry[field];
    if (raw === undefined) continue;
    const value = OPTION_CHECKS[field](raw).value;
    if (value !== undefined) layer[field] = { value, raw: String(raw), source: source(field), layer: kind };
  }
  return layer;
}

function builtIn<T>(value: T, raw: string): Setting<T> {
  return { value, raw, source: 'the built-in default', layer: 'built-in' };
}

/** The environments to check: from --env (repeatable, comma lists) else HOKUS_CHECK_ENV; none → 'default'. */
function selectEnvironments(
  flagValues: string[] | undefined,
  envValue: string | undefined,
  loaded: LoadedConfig | undefined,
  fileBroken: boolean,
  cwd: string,
  problems: string[],
): { ok: boolean; names?: string[] } {
  // commander's repeatable --env defaults to [], which means "not given".
  const given = flagValues !== undefined && flagValues.length > 0 ? flagValues : undefined;
  const source = given !== undefined ? '--env' : envValue !== undefined ? 'HOKUS_CHECK_ENV' : undefined;
  const raw = given ?? (envValue === undefined ? undefined : [envValue]);
  if (source === undefined || raw === undefined) return { ok: true };
  const names = [
    ...new Set(
      raw
        .flatMap((value) => value.split(','))
        .map((name) => name.trim())
        .filter((name) => name !== ''),
    ),
  ];
  if (names.length === 0) {
    problems.push(`${source}: no environment name given`);
    return { ok: false };
  }
  if (fileBroken) return { ok: false };
  if (!loaded) {
    problems.push(
      `${source} ${names.map(quoteSafely).join(', ')}: environments are defined in a config file, and there is none ` +
        `(looked for ${resolvePath(cwd, CONFIG_FILE_NAME)}; give --config PATH, or run hokus-check init to write one)`,
    );
    return { ok: false };
  }
  const defined = Object.keys(loaded.config.environments);
  const unknown = names.filter((name) => !Object.hasOwn(loaded.config.environments, name));
  for (const name of unknown) {
    const guess = closest(name, defined);
    const hint = guess ? `did you mean "${guess}"? ` : '';
    const list = defined.length > 0 ? defined.join(', ') : 'none';
    problems.push(`${source} ${quoteSafely(name)}: no such environment in ${loaded.label} (${hint}defined: ${list})`);
  }
  return unknown.length > 0 ? { ok: false } : { ok: true, names };
}

/** The target for one environment (or 'default'); undefined after reporting why it cannot be built. */
function buildTarget(
  name: string,
  named: boolean,
  layers: Layer[],
  loaded: LoadedConfig | undefined,
  cwd: string,
  problems: string[],
): Target | undefined {
  const pick = <F extends TargetField>(field: F): Setting<string> | undefined => layers.find((layer) => layer[field])?.[field];
  const where = named ? `environment ${JSON.stringify(name)}: ` : '';
  const registryUrl = pick('registryUrl');
  const authUrl = pick('authUrl');
  const mlflowUrl = pick('mlflowUrl');
  const mlflowPath = pick('mlflowPath');
  const direct = pick('mlflowDirectUrl');
  const clientCert = clientCertificate(layers, loaded, cwd, where, problems);
  const optional = {
    ...(direct ? { mlflowDirectUrl: direct.value } : {}),
    serviceId: pick('serviceId')?.value ?? DEFAULTS.serviceId,
    apiKeyEnv: pick('apiKeyEnv')?.value ?? DEFAULTS.apiKeyEnv,
    ...(clientCert ? { clientCert } : {}),
  };

  // A file's "defaults" are background: an environment that sets mlflowUrl ignores defaults.registryUrl
  // and defaults.authUrl, and one that sets registryUrl ignores defaults.mlflowUrl.
  const hokusaiSettings = [registryUrl, authUrl].filter((s): s is Setting<string> => s !== undefined);
  const mlflow = mlflowUrl && isBackground(mlflowUrl) && hokusaiSettings.some((s) => !isBackground(s)) ? undefined : mlflowUrl;
  if (mlflow) {
    const before = problems.length;
    const clashing = hokusaiSettings.filter((other) => !isBackground(other) || isBackground(mlflow));
    if (clashing.length > 0) {
      problems.push(
        `${where}${mlflow.source} cannot be used together with ${clashing.map((s) => s.source).join(' and ')}: ` +
          'mlflowUrl checks a plain MLflow server, registryUrl/authUrl a Hokusai deployment',
      );
    }
    if (mlflowPath && !isBackground(mlflowPath)) {
      problems.push(
        `${where}${mlflowPath.source} does not apply to a plain MLflow server (mlflowUrl): put any path prefix in the URL itself`,
      );
    }
    if (problems.length > before) return undefined;
    // A plain MLflow server has no proxy mount: its REST API is at the URL itself.
    return { name, kind: 'mlflow', mlflowPath: '', mlflowUrl: mlflow.value, ...optional };
  }

  if (!registryUrl) {
    if (authUrl) {
      problems.push(
        `${where}${authUrl.source} needs a registry URL too: give --registry-url${named ? ` or set registryUrl in the environment` : ''}`,
      );
    } else if (named) {
      problems.push(
        `${where}no registryUrl or mlflowUrl: set one in ${formatPath(['environments', name])} (or "defaults") of ${loaded?.label ?? CONFIG_FILE_NAME}, or pass --registry-url / --mlflow-url`,
      );
    } else {
      const defined = loaded ? Object.keys(loaded.config.environments) : [];
      problems.push(defined.length > 0 ? `${NO_TARGET}; ${loaded?.label} defines: ${defined.join(', ')}` : NO_TARGET);
    }
    return undefined;
  }
  return {
    name,
    kind: 'hokusai',
    registryUrl: registryUrl.value,
    ...(authUrl ? { authUrl: authUrl.value } : {}),
    mlflowPath: mlflowPath?.value ?? DEFAULTS.mlflowPath,
    ...optional,
  };
}

/**
 * The client certificate of one target: the certificate and its key come together from the first
 * layer that sets either (a flag's combined PEM is never paired with a key from the file). Paths from
 * flags and variables are relative to the working directory, from the file to the file's directory.
 * Read and checked here, so a bad pair is a usage error before any request.
 */
function clientCertificate(
  layers: Layer[],
  loaded: LoadedConfig | undefined,
  cwd: string,
  where: string,
  problems: string[],
): ClientCertificate | undefined {
  const layer = layers.find((l) => l.clientCert || l.clientKey);
  const [cert, key] = [layer?.clientCert, layer?.clientKey];
  if (!layer || !cert) {
    if (key) problems.push(`${where}${key.source} is given without a certificate: give ${FIELDS.clientCert.flag} (or clientCert) too`);
    return undefined;
  }
  const path = (s: Setting<string>) =>
    resolvePath(s.layer === 'entry' || s.layer === 'defaults' ? dirname(loaded?.path ?? resolvePath(cwd, CONFIG_FILE_NAME)) : cwd, s.value);
  try {
    return loadClientCertificate({ path: path(cert), source: cert.source }, key ? { path: path(key), source: key.source } : undefined);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    problems.push(...error.lines.map((line) => `${where}${line}`));
    return undefined;
  }
}

function isBackground(setting: Setting<unknown>): boolean {
  return setting.layer === 'defaults' || setting.layer === 'built-in';
}

function pickOptions(layers: Layer[]): Layer {
  const picked: Layer = {};
  for (const field of OPTION_FIELDS) picked[field] = layers.find((layer) => layer[field])?.[field];
  return picked;
}

/** One set of check options for the run; environments that set an option differently are an error. */
function agreeOnOptions(perTarget: Array<{ name: string; options: Layer }>, problems: string[]): Options {
  const options = {} as Options;
  for (const field of OPTION_FIELDS) {
    const settings = perTarget.map(({ name, options: layer }) => ({ name, setting: layer[field] ?? BUILT_IN[field] }));
    const first = settings[0]?.setting ?? BUILT_IN[field];
    options[field] = first?.value ?? 0;
    if (settings.some(({ setting }) => setting?.value !== first?.value)) {
      const values = settings.map(({ name, setting }) => `${name}: ${setting?.raw ?? '?'}`).join(', ');
      problems.push(
        `${field} differs between the selected environments (${values}); one run uses one value: ` +
          `set it in "defaults" or pass ${FIELDS[field].flag}`,
      );
    }
  }
  return options;
}

function stepSelection(flags: FlagValues, problems: string[]): { only?: StepId[]; skip?: StepId[] } {
  if (flags.only !== undefined && flags.skip !== undefined) {
    problems.push('--only and --skip cannot be used together: pick the steps to run, or the steps to leave out');
    return {};
  }
  const result: { only?: StepId[]; skip?: StepId[] } = {};
  for (const key of ['only', 'skip'] as const) {
    const raw = flags[key];
    if (raw === undefined) continue;
    const parsed = parseStepList(raw, `--${key}`);
    problems.push(...parsed.problems);
    result[key] = parsed.ids;
  }
  return result;
}
