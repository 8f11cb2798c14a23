// Before commander sees argv: a key on the command line is refused with one line that never echoes
// it (commander's "unknown option '--api-key=…'" would print it whole), and the text of every usage
// error is redacted and defused (no workflow command in it: src/http/redact.ts). A key on the command
// line stays in shell history and in `ps`: the answer says how keys are passed instead. The key of
// the variable this run reads counts in every form the redactor knows — its secret part alone (the
// key without hk_test_), 8 characters of it, another case, an encoding.
import { createRedactor, defuseCommands, holdsSecret, type Redactor } from './http/redact.js';

export const HOW_KEYS_ARE_PASSED =
  'set the key in HOKUSAI_API_KEY (or name another variable with --api-key-env NAME), or pipe it with --api-key-stdin';

// --api-key, --token, --key and look-alikes, alone or with =value.
const KEY_FLAG = /^--(?:api[-_]?key|apikey|key|token|api[-_]?token|access[-_]?token|auth[-_]?token|secret|password)(?:=|$)/i;
// -k<key> / -k <key>: no short flag -k exists.
const SHORT_KEY_FLAG = /^-k/;
const HOKUSAI_KEY = /hk_(?:live|test)_/i;

/** The one-line refusal (with its newline) when argv carries a key; undefined when it does not. */
export function refuseKeyInArgv(argv: readonly string[], env: Record<string, string | undefined>): string | undefined {
  const secrets = envSecrets(argv, env);
  // The one exception: `sim --key hk_test_…` names the throw-away test key the simulator accepts
  // (printed by `sim` anyway). A live key is refused there too.
  if (argv[0] === 'sim') argv = withoutSimKey(argv);
  for (const arg of argv) {
    if (arg === '--') break;
    if (KEY_FLAG.test(arg) || SHORT_KEY_FLAG.test(arg)) {
      const flag = arg.startsWith('--') ? (arg.split('=')[0] ?? arg) : '-k';
      return `hokus-check: ${flag}: an API key is never given on the command line; ${HOW_KEYS_ARE_PASSED}\n`;
    }
  }
  const holdsKey = holdsSecret(secrets);
  for (const arg of argv) {
    if (HOKUSAI_KEY.test(arg) || holdsKey(arg)) {
      return `hokus-check: an argument holds an API key (not shown); keys are never given on the command line: ${HOW_KEYS_ARE_PASSED}\n`;
    }
  }
  return undefined;
}

function withoutSimKey(argv: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    const next = argv[i + 1];
    if (arg === '--key' && next !== undefined && /^hk_test_[A-Za-z0-9]+$/.test(next)) i++;
    else if (/^--key=hk_test_[A-Za-z0-9]+$/.test(arg)) continue;
    else out.push(arg);
  }
  return out;
}

/**
 * Redacts a usage error — any hk_ key, and the value of the key variable(s) this run would read — and
 * defuses the workflow commands in it: commander quotes what was typed.
 */
export function usageRedactor(argv: readonly string[], env: Record<string, string | undefined>): Redactor {
  const redact = createRedactor(envSecrets(argv, env));
  return (text) => defuseCommands(redact(text).replace(/hk_(?:live|test)_[^\s'"`,;)]*/gi, '<redacted>'));
}

/**
 * Values of HOKUSAI_API_KEY, of the variable named by --api-key-env, and of MLflow's token and password
 * (a plain MLflow target's credentials, config/mlflow-env.ts), long enough to be secrets.
 */
function envSecrets(argv: readonly string[], env: Record<string, string | undefined>): string[] {
  const names = new Set(['HOKUSAI_API_KEY', 'MLFLOW_TRACKING_TOKEN', 'MLFLOW_TRACKING_PASSWORD']);
  argv.forEach((arg, i) => {
    if (arg === '--api-key-env' && argv[i + 1]) names.add(argv[i + 1]!);
    else if (arg.startsWith('--api-key-env=')) names.add(arg.slice('--api-key-env='.length));
  });
  if (env.HOKUS_CHECK_API_KEY_ENV) names.add(env.HOKUS_CHECK_API_KEY_ENV);
  return [...names].map((n) => env[n]?.trim() ?? '').filter((v) => v.length >= 8);
}
