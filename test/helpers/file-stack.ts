// The embedded stack and a temp dir for one test file: started before its tests, closed and removed
// after them. `files.stack` is read inside tests (it exists once beforeAll ran).
import { afterAll, beforeAll } from 'vitest';
import { startStack, type Stack, type StackOptions } from '../../src/sim/stack.js';
import { tempDir } from './tmp.js';

export function fileStack(options: StackOptions = { pendingPolls: 0 }): { readonly stack: Stack; tmp: ReturnType<typeof tempDir> } {
  const tmp = tempDir();
  let stack: Stack | undefined;
  beforeAll(async () => {
    stack = await startStack(options);
  });
  afterAll(async () => {
    await stack?.close();
    tmp.remove();
  });
  return {
    tmp,
    get stack(): Stack {
      if (!stack) throw new Error('fileStack: the stack is started in beforeAll; read it inside a test');
      return stack;
    },
  };
}
