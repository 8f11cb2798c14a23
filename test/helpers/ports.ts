// Ports come from the OS. For "nothing listens there" a test binds a free loopback port and closes it:
// no test assumes a fixed port (9, 1, …) is closed.
import { createServer } from 'node:net';

/** http://127.0.0.1:<port> of a port that was just free and is closed again: connecting is refused. */
export async function refusingUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}
