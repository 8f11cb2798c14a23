// MLflow's client conventions for the plain-MLflow mode: the environment variables MLflow's Python
// client reads, with its meanings and precedence, mapped onto hokus-check's own settings. From MLflow's
// source (mlflow/environment_variables.py, mlflow/tracking/_tracking_service/utils.py
// `_get_default_host_creds`, mlflow/utils/rest_utils.py `http_request` and `MlflowHostCreds`):
//
// - MLFLOW_TRACKING_URI: the tracking server. MLflow also takes file:, sqlite:, databricks… stores;
//   only http(s):// is a server this tool can check.
// - MLFLOW_TRACKING_USERNAME + MLFLOW_TRACKING_PASSWORD: `Authorization: Basic base64(user:password)`,
//   only when both are set; then they win over the token (`if username and password: … elif token:`).
// - MLFLOW_TRACKING_TOKEN: `Authorization: Bearer <token>`.
// - MLFLOW_TRACKING_INSECURE_TLS: true/false/1/0, any case (anything else is an error, as in MLflow's
//   _BooleanEnvironmentVariable); true = the server certificate is not verified. MLflow refuses it
//   together with MLFLOW_TRACKING_SERVER_CERT_PATH ("only one of these environment variables may be set").
// - MLFLOW_TRACKING_SERVER_CERT_PATH: the CA bundle the server certificate is verified with.
// - MLFLOW_TRACKING_CLIENT_CERT_PATH: a client certificate (requests' `cert=`, one PEM with the key).
//
// hokus-check's own settings come first: flags and HOKUS_CHECK_* variables (and the config file) name
// the target before MLFLOW_TRACKING_URI does; a key named explicitly (--api-key-env, --api-key-stdin,
// HOKUS_CHECK_API_KEY_ENV, a file's apiKeyEnv) is sent instead of MLflow's credentials; --insecure and
// --ca-file replace MLflow's TLS variables. As elsewhere, a variable set to '' counts as unset.
import { resolve as resolvePath } from 'node:path';
import type { Target } from '../steps/types.js';
import { checkBaseUrl } from './field-checks.js';

export const MLFLOW_ENV = {
  uri: 'MLFLOW_TRACKING_URI',
  username: 'MLFLOW_TRACKING_USERNAME',
  password: 'MLFLOW_TRACKING_PASSWORD',
  token: 'MLFLOW_TRACKING_TOKEN',
  insecureTls: 'MLFLOW_TRACKING_INSECURE_TLS',
  serverCert: 'MLFLOW_TRACKING_SERVER_CERT_PATH',
  clientCert: 'MLFLOW_TRACKING_CLIENT_CERT_PATH',
} as const;

/** The variables whose values are secrets: hidden in every message, refused on the command line. */
export const MLFLOW_SECRET_VARS: readonly string[] = [MLFLOW_ENV.token, MLFLOW_ENV.password];

type Env = (name: string) => string | undefined;

/**
 * The target URL from MLFLOW_TRACKING_URI: a base URL, or one problem (a store that is not a server,
 * a URL with credentials or a query). A store URI is shown by its scheme only: `postgresql://user:pw@…`
 * holds a password.
 */
export function trackingUriTarget(raw: string): { value: string; problem?: undefined } | { value?: undefined; problem: string } {
  const text = raw.trim();
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(text)?.[1]?.toLowerCase();
  if (scheme !== 'http' && scheme !== 'https') {
    const what = scheme === undefined ? 'a local path' : `a ${scheme}: URI`;
    return {
      problem:
        `${MLFLOW_ENV.uri} is ${what}, not a tracking server: hokus-check checks a tracking server (an http:// or https:// URL); ` +
        'give --mlflow-url URL, or set MLFLOW_TRACKING_URI to the server',
    };
  }
  const checked = checkBaseUrl(text);
  if (checked.problem !== undefined) {
    const hint = /credentials/.test(checked.problem) ? ` (MLflow's login goes in ${MLFLOW_ENV.username} and ${MLFLOW_ENV.password})` : '';
    return { problem: `${MLFLOW_ENV.uri}: ${checked.problem}${hint}` };
  }
  return { value: checked.value };
}

/**
 * A plain MLflow target with MLflow's credentials, unless a key was named explicitly: the Basic pair
 * (by the names of its variables, never the values), else the token as the key. `notices` says what
 * was set and not used.
 */
export function withMlflowCredentials(target: Target, env: Env, explicitKey: string | undefined, notices: string[]): Target {
  if (target.kind !== 'mlflow') return target;
  const user = env(MLFLOW_ENV.username);
  const password = env(MLFLOW_ENV.password);
  const token = env(MLFLOW_ENV.token);
  const set = [
    ...(user !== undefined ? [MLFLOW_ENV.username] : []),
    ...(password !== undefined ? [MLFLOW_ENV.password] : []),
    ...(token !== undefined ? [MLFLOW_ENV.token] : []),
  ];
  if (explicitKey !== undefined) {
    if (set.length > 0)
      notices.push(`${set.join(', ')} not used: ${explicitKey} names the key to send (flags and HOKUS_CHECK_* come first)`);
    return target;
  }
  if (user !== undefined && password !== undefined) {
    if (token !== undefined)
      notices.push(`${MLFLOW_ENV.token} not sent: ${MLFLOW_ENV.username}/${MLFLOW_ENV.password} come first, as in MLflow's client`);
    return { ...target, basicAuthEnv: { username: MLFLOW_ENV.username, password: MLFLOW_ENV.password } };
  }
  if (user !== undefined || password !== undefined) {
    const [given, missing] = user !== undefined ? [MLFLOW_ENV.username, MLFLOW_ENV.password] : [MLFLOW_ENV.password, MLFLOW_ENV.username];
    notices.push(`${given} is set without ${missing}: no Basic credentials are sent (MLflow's client sends them only as a pair)`);
  }
  return token !== undefined ? { ...target, apiKeyEnv: MLFLOW_ENV.token } : target;
}

export interface MlflowTls {
  insecure?: true;
  insecureFrom?: string;
  caFile?: string;
  caFileFrom?: string;
  /** MLFLOW_TRACKING_CLIENT_CERT_PATH, resolved: a PEM with the certificate and its key. */
  clientCert?: string;
}

/**
 * MLflow's TLS variables, when they apply: every target is a plain MLflow server. --insecure and
 * --ca-file replace the two that decide how the server certificate is verified; a target's own
 * --client-cert (or clientCert) replaces MLFLOW_TRACKING_CLIENT_CERT_PATH (resolve.ts). Problems as one
 * line each.
 */
export function mlflowTls(env: Env, opts: { applies: boolean; flagsGiven: boolean; cwd: string }, problems: string[]): MlflowTls {
  if (!opts.applies) return {};
  const out: MlflowTls = {};
  const clientCert = env(MLFLOW_ENV.clientCert);
  if (clientCert !== undefined) out.clientCert = resolvePath(opts.cwd, clientCert);
  if (opts.flagsGiven) return out;
  const insecureRaw = env(MLFLOW_ENV.insecureTls);
  let insecure = false;
  if (insecureRaw !== undefined) {
    const lower = insecureRaw.trim().toLowerCase();
    if (!['true', 'false', '1', '0'].includes(lower)) {
      problems.push(
        `${MLFLOW_ENV.insecureTls}: expected true, false, 1 or 0 (any case), as MLflow reads it; got ${JSON.stringify(insecureRaw.slice(0, 20))}`,
      );
    } else insecure = lower === 'true' || lower === '1';
  }
  const serverCert = env(MLFLOW_ENV.serverCert);
  if (insecure && serverCert !== undefined) {
    problems.push(
      `${MLFLOW_ENV.insecureTls}=true and ${MLFLOW_ENV.serverCert} cannot both be set (MLflow refuses them too): ` +
        'not verifying the certificate and verifying it with a CA bundle contradict each other; unset one',
    );
    return out;
  }
  if (insecure) Object.assign(out, { insecure: true, insecureFrom: `${MLFLOW_ENV.insecureTls}=${insecureRaw!.trim()}` });
  if (serverCert !== undefined) Object.assign(out, { caFile: resolvePath(opts.cwd, serverCert), caFileFrom: MLFLOW_ENV.serverCert });
  return out;
}
