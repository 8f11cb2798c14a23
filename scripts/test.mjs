// `npm test`: the type check and the test suite side by side (tsc is one core's worth of CPU for
// ~20 s; much of the suite waits on loopback sockets), so the whole takes about the longer of the two.
// Prints the type check's result after the suite; fails when either fails.
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);
const tsc = require.resolve('typescript/bin/tsc');
const vitest = join(dirname(require.resolve('vitest/package.json')), 'vitest.mjs');

function run(args, stdio) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, { stdio });
    let out = '';
    child.stdout?.on('data', (d) => (out += d));
    child.stderr?.on('data', (d) => (out += d));
    child.on('close', (code, signal) => resolve({ code: code ?? (signal ? 1 : 0), out }));
  });
}

const started = performance.now();
const [types, tests] = await Promise.all([run([tsc, '--noEmit'], ['ignore', 'pipe', 'pipe']), run([vitest, 'run', ...process.argv.slice(2)], 'inherit')]);
process.stdout.write(types.code === 0 ? 'tsc --noEmit: no type errors\n' : `tsc --noEmit failed:\n${types.out}`);
process.stdout.write(`npm test: ${((performance.now() - started) / 1000).toFixed(1)} s wall\n`);
process.exit(types.code !== 0 ? types.code : tests.code);
