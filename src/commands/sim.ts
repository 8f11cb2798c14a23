// `hokus-check sim`: serve the embedded stack until Ctrl-C (for trying the CLI, training on-call, tests).
import { UsageError } from '../config/errors.js';
import { reportFatal } from '../fatal.js';
import { fatalOut, type Io } from '../io.js';
import { FAULTS, isFaultName } from '../sim/faults.js';
import { serveStack } from '../sim/serve.js';

export async function simCommand(opts: Record<string, unknown>, io: Io): Promise<void> {
  if (opts.listFaults) {
    const width = Math.max(...Object.keys(FAULTS).map((k) => k.length));
    for (const [name, f] of Object.entries(FAULTS)) io.out(`${name.padEnd(width)}  ${f.summary}\n`);
    return;
  }
  const faults = (opts.fault as string[] | undefined) ?? [];
  const unknown = faults.filter((f) => !isFaultName(f));
  const port = opts.port === undefined ? 0 : Number(opts.port);
  try {
    if (unknown.length > 0) throw new UsageError([`unknown fault ${unknown.map((f) => `"${f}"`).join(', ')} (hokus-check sim --list-faults lists them)`]);
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError([`--port: "${String(opts.port)}" is not a port number`]);
    const stack = await serveStack({ faults: faults.filter(isFaultName), port }, (line) => io.out(`${line}\n`));
    await new Promise<void>((resolve) => {
      const off = io.onSignal(() => {
        off();
        resolve();
      });
    });
    await stack.close();
    io.exit(0);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code === 'EADDRINUSE' ? reportFatal(new UsageError([`--port ${port}: address in use`]), fatalOut(io)) : reportFatal(err, fatalOut(io));
    io.exit(code);
  }
}
