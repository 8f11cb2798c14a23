// `hokus-check sim`: serve the embedded stack until Ctrl-C (for trying the CLI, training on-call, tests).
import { UsageError } from '../config/errors.js';
import { EXIT } from '../exit-codes.js';
import { fatalOut, type Factory } from '../factory.js';
import { reportFatal } from '../fatal.js';
import { FAULTS, isFaultName } from '../sim/faults.js';
import { serveStack } from '../sim/serve.js';

export async function simCommand(opts: Record<string, unknown>, f: Factory): Promise<number> {
  const io = f.io;
  if (opts.listFaults) {
    const width = Math.max(...Object.keys(FAULTS).map((k) => k.length));
    for (const [name, fault] of Object.entries(FAULTS)) io.out(`${name.padEnd(width)}  ${fault.summary}\n`);
    return EXIT.ok;
  }
  const faults = (opts.fault as string[] | undefined) ?? [];
  const unknown = faults.filter((x) => !isFaultName(x));
  const port = opts.port === undefined ? 0 : Number(opts.port);
  try {
    if (unknown.length > 0) throw new UsageError([`unknown fault ${unknown.map((x) => `"${x}"`).join(', ')} (hokus-check sim --list-faults lists them)`]);
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError([`--port: "${String(opts.port)}" is not a port number`]);
    const stack = await serveStack({ faults: faults.filter(isFaultName), port }, (line) => io.out(`${line}\n`));
    await new Promise<void>((resolve) => {
      const off = io.onSignal(() => {
        off();
        resolve();
      });
    });
    await stack.close();
    return EXIT.ok;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EADDRINUSE' ? reportFatal(new UsageError([`--port ${port}: address in use`]), fatalOut(f)) : reportFatal(err, fatalOut(f));
  }
}
