// `hokus-check sim`: starts the stack and tells a person how to point the CLI at it. Printing the
// generated key is intended: it is a simulator's throw-away test key, valid only for this stack.
import { FAULTS } from './faults.js';
import { startStack, type Stack, type StackOptions } from './stack.js';

export async function serveStack(opts: StackOptions, out: (line: string) => void): Promise<Stack> {
  const stack = await startStack(opts);
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
  out(`  hokus-check --registry-url ${stack.registryUrl} --auth-url ${stack.authUrl} --mlflow-direct-url ${stack.mlflowUrl}`);
  out('');
  return stack;
}
