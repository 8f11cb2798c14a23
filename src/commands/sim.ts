// `hokus-check sim`: serve the embedded stack until Ctrl-C (for trying the CLI, training on-call, tests).
import type { SimFlags } from '../cli-flags.js';
import { UsageError } from '../config/errors.js';
import { EXIT } from '../exit-codes.js';
import { fatalOut, type Factory } from '../factory.js';
import { reportFatal } from '../fatal.js';
import { FAULTS, isFaultName } from '../sim/faults.js';
import { serveStack } from '../sim/serve.js';
import { unknownFault } from './fault-names.js';

export async function simCommand(opts: SimFlags, f: Factory): Promise<number> {
  const io = f.io;
  if (opts.listFaults) {
    const width = Math.max(...Object.keys(FAULTS).map((k) => k.length));
    for (const [name, fault] of Object.entries(FAULTS)) io.out(`${name.padEnd(width)}  ${fault.summary}\n`);
    return EXIT.ok;
  }
  const faults = opts.fault;
  const unknown = faults.filter((x) => !isFaultName(x));
  const ports = { port: portOf(opts.port), authPort: portOf(opts.authPort), mlflowPort: portOf(opts.mlflowPort) };
  let port = 0;
  try {
    if (unknown.length > 0) throw new UsageError([unknownFault(unknown, Object.keys(FAULTS))]);
    const bad = (['port', 'authPort', 'mlflowPort'] as const).filter((k) => Number.isNaN(ports[k]));
    if (bad.length > 0)
      throw new UsageError(
        bad.map((k) => `--${k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}: "${opts[k] ?? ''}" is not a port number`),
      );
    const key = opts.key;
    if (key !== undefined && !/^hk_test_[A-Za-z0-9]{8,}$/.test(key))
      throw new UsageError(['--key: a simulator key is hk_test_ and at least 8 letters or digits']);
    port = ports.port;
    const stack = await serveStack(
      {
        faults: faults.filter(isFaultName),
        port: ports.port,
        authPort: ports.authPort,
        mlflowPort: ports.mlflowPort,
        ...(key ? { apiKey: key } : {}),
      },
      (line) => io.out(`${line}\n`),
      f.command,
    );
    await new Promise<void>((resolve) => {
      const off = io.onSignal(() => {
        off();
        resolve();
      });
    });
    await stack.close();
    return EXIT.ok;
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { port?: number };
    return e.code === 'EADDRINUSE'
      ? reportFatal(new UsageError([`port ${e.port ?? port}: address in use`]), fatalOut(f))
      : reportFatal(err, fatalOut(f));
  }
}

/** A port flag: undefined or '0' = a free port; NaN when it is not a port number. */
function portOf(value: string | undefined): number {
  if (value === undefined) return 0;
  const n = Number(value);
  return Number.isInteger(n) && n >= 0 && n <= 65535 ? n : Number.NaN;
}
