// `hokus-check [check]`: resolve targets and keys, run, exit with the code that says what happened.
import { resolveSettings, type FlagValues } from '../config/resolve.js';
import { reportFatal } from '../fatal.js';
import { fatalOut, type Io } from '../io.js';
import { resolveKeys } from './keys.js';
import { runSession, type OutputFlags } from './session.js';

export async function checkCommand(opts: Record<string, unknown>, io: Io, version: string): Promise<void> {
  let redact = (s: string) => s;
  try {
    const settings = resolveSettings({ flags: opts as FlagValues, env: io.env, cwd: io.cwd });
    const keys = await resolveKeys(settings, Boolean(opts.apiKeyStdin), io);
    const secrets = [...keys.values()].flatMap((k) => (k.key ? [k.key.value] : []));
    redact = (s) => secrets.reduce((acc, k) => acc.split(k).join('<redacted>'), s);
    const code = await runSession(settings, keys, opts as OutputFlags, io, version);
    io.exit(code);
  } catch (err) {
    io.exit(reportFatal(err, fatalOut(io), redact));
  }
}
