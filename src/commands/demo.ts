// `hokus-check demo`: start the embedded stack on a free loopback port, run the check against it, stop it.
import { UsageError } from '../config/errors.js';
import { resolveSettings, type FlagValues } from '../config/resolve.js';
import { reportFatal } from '../fatal.js';
import { ApiKey } from '../http/secret.js';
import { fatalOut, type Io } from '../io.js';
import { FAULTS, isFaultName } from '../sim/faults.js';
import { startStack } from '../sim/stack.js';
import { runSession, type OutputFlags } from './session.js';

export async function demoCommand(opts: Record<string, unknown>, io: Io, version: string): Promise<void> {
  const faults = (opts.fault as string[] | undefined) ?? [];
  const unknown = faults.filter((f) => !isFaultName(f));
  if (unknown.length > 0) {
    io.exit(reportFatal(new UsageError([`unknown fault ${unknown.map((f) => `"${f}"`).join(', ')}; valid: ${Object.keys(FAULTS).join(', ')}`]), fatalOut(io)));
  }
  const stack = await startStack({ faults: faults.filter(isFaultName) });
  let code = 0;
  try {
    io.err(`hokus-check demo: embedded stack on ${stack.registryUrl}${faults.length ? ` with fault ${faults.join(', ')}` : ''}\n`);
    const flags: FlagValues = {
      ...(opts as FlagValues),
      registryUrl: stack.registryUrl,
      authUrl: stack.authUrl,
      apiKeyEnv: 'HOKUS_CHECK_DEMO_KEY',
      env: [],
    };
    if (opts.direct) flags.mlflowDirectUrl = stack.mlflowUrl;
    // The demo ignores the user's config file environments: it checks its own stack.
    const settings = resolveSettings({ flags, env: { HOKUS_CHECK_DEMO_KEY: stack.apiKey }, cwd: io.cwd, readFile: () => undefined });
    const key = new ApiKey(stack.apiKey);
    const keys = new Map(settings.targets.map((t) => [t.name, { key, hadWhitespace: false }]));
    code = await runSession(settings, keys, opts as OutputFlags, io, version);
  } catch (err) {
    code = reportFatal(err, fatalOut(io), (s) => s.split(stack.apiKey).join('<redacted>'));
  } finally {
    await stack.close();
  }
  io.exit(code);
}
