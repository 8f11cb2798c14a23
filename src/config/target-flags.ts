// The command lines hokus-check prints for the user to run against the same target: the flags that
// name it as it was given (--env, or its URLs and the settings off their defaults). Read by the
// report (the confirm command of a root cause), the diagnosis (the sweep in a leftovers fix) and the
// session (what a quit without cleanup left behind).
import { TARGET_DEFAULTS } from './defaults.js';

export interface TargetFlagsOf {
  name: string;
  kind: 'hokusai' | 'mlflow';
  mlflowPath: string;
  serviceId: string;
  mlflowUrl?: string | undefined;
  registryUrl?: string | undefined;
  authUrl?: string | undefined;
  mlflowDirectUrl?: string | undefined;
  apiKeyEnv?: string | undefined;
  clientCert?: { path: string; keyPath: string } | undefined;
}

export function targetFlags(t: TargetFlagsOf): string[] {
  const flags: string[] = [];
  if (t.name !== 'default') flags.push('--env', shellWord(t.name));
  else if (t.kind === 'mlflow' && t.mlflowUrl !== undefined) flags.push('--mlflow-url', shellWord(t.mlflowUrl));
  else {
    if (t.registryUrl !== undefined) flags.push('--registry-url', shellWord(t.registryUrl));
    if (t.authUrl !== undefined) flags.push('--auth-url', shellWord(t.authUrl));
    if (t.mlflowPath !== TARGET_DEFAULTS.mlflowPath) flags.push('--mlflow-path', shellWord(t.mlflowPath));
    if (t.mlflowDirectUrl !== undefined) flags.push('--mlflow-direct-url', shellWord(t.mlflowDirectUrl));
    if (t.serviceId !== TARGET_DEFAULTS.serviceId) flags.push('--service-id', shellWord(t.serviceId));
    if (t.apiKeyEnv !== undefined && t.apiKeyEnv !== TARGET_DEFAULTS.apiKeyEnv) flags.push('--api-key-env', shellWord(t.apiKeyEnv));
  }
  if (t.name === 'default' && t.clientCert !== undefined) {
    flags.push('--client-cert', shellWord(t.clientCert.path));
    if (t.clientCert.keyPath !== t.clientCert.path) flags.push('--client-key', shellWord(t.clientCert.keyPath));
  }
  return flags;
}

/** The command that reruns one step against the same target. */
export function confirmCommand(t: TargetFlagsOf, step: string): string {
  return ['hokus-check', ...targetFlags(t), '--only', step].join(' ');
}

/** The sweep that removes what one check (by its id) left behind on the same target, and nothing else. */
export function sweepCommand(t: TargetFlagsOf, checkId: string): string {
  return ['hokus-check', 'sweep', ...targetFlags(t), '--check-id', shellWord(checkId)].join(' ');
}

/** Single-quotes a shell word: `it's` → `'it'\''s'`. */
export function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/** A word left bare when the shell would read it as is, quoted otherwise. */
export function shellWord(s: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(s) ? s : shellQuote(s);
}
