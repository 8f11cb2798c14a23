// `hokus-check sim`: starts the stack and tells a person how to point the CLI at it. Printing the
// generated key is intended: it is a simulator's throw-away test key, valid only for this stack.
import { FAULTS } from './faults.js';
import { startStack, type Stack, type StackOptions } from './stack.js';

/**
 * Starts the stack, prints where it is and the command to run against it — as `command` (the way
 * this CLI was started: `hokus-check`, or `node bin/hokus-check.js` from a clone) — then logs one
 * line per request it serves.
 */
export async function serveStack(opts: StackOptions, out: (line: string) => void, command = 'hokus-check'): Promise<Stack> {
  const stack = await startStack({ ...opts, log: (line) => out(`  ${line}`) });
  const faults = stack.faults.length ? stack.faults : ['none'];
  out('hokus-check sim: a simulated Hokusai stack on loopback (Ctrl-C stops it)');
  out('');
  out(`  registry (API service)   ${stack.registryUrl}`);
  out(`  auth service             ${stack.authUrl}`);
  out(`  mlflow (direct)          ${stack.mlflowUrl}`);
  out(`  faults                   ${faults.join(', ')}`);
  for (const f of stack.faults) out(`    ${f}: ${FAULTS[f].summary}`);
  out('');
  out('Run a check against it:');
  out('');
  out(`  export HOKUSAI_API_KEY=${stack.apiKey}`);
  out(`  ${command} --registry-url ${stack.registryUrl} --auth-url ${stack.authUrl} --mlflow-direct-url ${stack.mlflowUrl}`);
  out('');
  out('Requests (server, method, path -> status):');
  return stack;
}
