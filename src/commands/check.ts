// `hokus-check [check]`: resolve targets and keys, run, return the code that says what happened.
import type { CheckFlags } from '../cli-flags.js';
import { resolveSettings } from '../config/resolve.js';
import { fatalOut, type Factory } from '../factory.js';
import { reportFatal } from '../fatal.js';
import { createRedactor } from '../http/redact.js';
import { resolveKeys, secretsOf } from './keys.js';
import { runSession } from './session.js';

export async function checkCommand(opts: CheckFlags, f: Factory): Promise<number> {
  let redact = (s: string) => s;
  try {
    const settings = resolveSettings({ flags: opts, env: f.env, cwd: f.cwd });
    // First: where the target came from when MLflow's variables chose it, and what they set that is not used.
    for (const notice of settings.notices ?? []) f.io.err(`hokus-check: ${notice}\n`);
    const keys = await resolveKeys(settings, opts.apiKeyStdin === true, f);
    redact = createRedactor([...keys.values()].flatMap(secretsOf));
    return await runSession(settings, keys, opts, f);
  } catch (err) {
    return reportFatal(err, fatalOut(f), redact);
  }
}
