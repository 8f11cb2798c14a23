// The command lines hokus-check prints for the user to run against the same target: the flags that
// name it as it was given (--env, or its URLs and the settings off their defaults). Read by the
// report (the confirm command of a root cause), the diagnosis (the sweep in a leftovers fix) and the
// session (what a quit without cleanup left behind). The settings' flags are config/fields.ts's; the
// others (--env, --only, --check-id) are held to the CLI's by test/unit/cli-flags.test.ts.
import { DEFAULTS } from './defaults.js';
import { FIELDS } from './fields.js';

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

/**
 * The flags that name `t` for a command: `check` takes them all; `sweep` no auth URL or service id (it
 * never calls the auth service), so its line leaves them out.
 */
export function targetFlags(t: TargetFlagsOf, command: 'check' | 'sweep' = 'check'): string[] {
  const flags: string[] = [];
  const check = command === 'check';
  if (t.name !== 'default') flags.push('--env', shellWord(t.name));
  else if (t.kind === 'mlflow' && t.mlflowUrl !== undefined) flags.push(FIELDS.mlflowUrl.flag, shellWord(t.mlflowUrl));
  else {
    if (t.registryUrl !== undefined) flags.push(FIELDS.registryUrl.flag, shellWord(t.registryUrl));
    if (check && t.authUrl !== undefined) flags.push(FIELDS.authUrl.flag, shellWord(t.authUrl));
    if (t.mlflowPath !== DEFAULTS.mlflowPath) flags.push(FIELDS.mlflowPath.flag, shellWord(t.mlflowPath));
    if (t.mlflowDirectUrl !== undefined) flags.push(FIELDS.mlflowDirectUrl.flag, shellWord(t.mlflowDirectUrl));
    if (check && t.serviceId !== DEFAULTS.serviceId) flags.push(FIELDS.serviceId.flag, shellWord(t.serviceId));
    if (t.apiKeyEnv !== undefined && t.apiKeyEnv !== DEFAULTS.apiKeyEnv) flags.push(FIELDS.apiKeyEnv.flag, shellWord(t.apiKeyEnv));
  }
  if (t.name === 'default' && t.clientCert !== undefined) {
    flags.push(FIELDS.clientCert.flag, shellWord(t.clientCert.path));
    if (t.clientCert.keyPath !== t.clientCert.path) flags.push(FIELDS.clientKey.flag, shellWord(t.clientCert.keyPath));
  }
  return flags;
}

/** The command that reruns one step against the same target. */
export function confirmCommand(t: TargetFlagsOf, step: string): string {
  return ['hokus-check', ...targetFlags(t), '--only', step].join(' ');
}

/** The sweep that removes what one check (by its id) left behind on the same target, and nothing else. */
export function sweepCommand(t: TargetFlagsOf, checkId: string): string {
  return ['hokus-check', 'sweep', ...targetFlags(t, 'sweep'), '--check-id', shellWord(checkId)].join(' ');
}

/** Single-quotes a shell word: `it's` → `'it'\''s'`. */
export function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/** A word left bare when the shell would read it as is, quoted otherwise. */
export function shellWord(s: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(s) ? s : shellQuote(s);
}
