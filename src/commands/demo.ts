// `hokus-check demo`: start the embedded stack on a free loopback port, run the check against it, stop it.
import type { DemoFlags } from '../cli-flags.js';
import { UsageError } from '../config/errors.js';
import { resolveSettings, type FlagValues } from '../config/resolve.js';
import { fatalOut, type Factory } from '../factory.js';
import { reportFatal } from '../fatal.js';
import { ApiKey } from '../http/secret.js';
import { FAULTS, isFaultName } from '../sim/faults.js';
import { startStack } from '../sim/stack.js';
import { runSession } from './session.js';
import { unknownFault } from './fault-names.js';

export async function demoCommand(opts: DemoFlags, f: Factory): Promise<number> {
  const io = f.io;
  const faults = opts.fault;
  const unknown = faults.filter((x) => !isFaultName(x));
  if (unknown.length > 0) {
    return reportFatal(new UsageError([unknownFault(unknown, Object.keys(FAULTS))]), fatalOut(f));
  }
  const stack = await startStack({ faults: faults.filter(isFaultName) });
  let code: number;
  try {
    io.err(`hokus-check demo: embedded stack on ${stack.registryUrl}${faults.length ? ` with fault ${faults.join(', ')}` : ''}\n`);
    const flags: FlagValues = {
      ...opts,
      registryUrl: stack.registryUrl,
      authUrl: stack.authUrl,
      apiKeyEnv: 'HOKUS_CHECK_DEMO_KEY',
      env: [],
    };
    if (opts.direct) flags.mlflowDirectUrl = stack.mlflowUrl;
    // The demo ignores the user's config file environments: it checks its own stack.
    const settings = resolveSettings({ flags, env: { HOKUS_CHECK_DEMO_KEY: stack.apiKey }, cwd: f.cwd, readFile: () => undefined });
    const key = new ApiKey(stack.apiKey);
    const keys = new Map(settings.targets.map((t) => [t.name, { key, hadWhitespace: false }]));
    code = await runSession(settings, keys, opts, f);
  } catch (err) {
    code = reportFatal(err, fatalOut(f), (s) => s.split(stack.apiKey).join('<redacted>'));
  } finally {
    await stack.close();
  }
  return code;
}
