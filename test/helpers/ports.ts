// Ports come from the OS. For "nothing listens there" a test takes a loopback port that was just free,
// outside the ephemeral range (src/sim/http/listen.ts, closedPort), so no server another test starts
// meanwhile can be handed it: no test assumes a fixed port (9, 1, …) is closed.
import { closedPort } from '../../src/sim/http/listen.js';

/** http://127.0.0.1:<port> of a port nothing listens on: connecting is refused. */
export async function refusingUrl(): Promise<string> {
  return `http://127.0.0.1:${await closedPort('127.0.0.1')}`;
}
