// `npm test`: the static checks (tsc, ESLint with type-aware rules, Prettier) and the test suite side
// by side (the static checks are one core's worth of CPU for ~60 s; much of the suite waits on
// loopback sockets), so the whole takes about the longer of the two. Both run at the same priority:
// niced, the static checks starved beside other work (CI's neighbours, scripts/load-test.sh's busy
// loops) and ran on for minutes after the suite. Prints the static checks' results after
// the suite; fails when any fails. `npm test -- FILE…` runs those test files and still every check.
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);
const tsc = require.resolve('typescript/bin/tsc');
const vitest = join(dirname(require.resolve('vitest/package.json')), 'vitest.mjs');
const eslint = join(dirname(require.resolve('eslint/package.json')), 'bin', 'eslint.js');
const prettier = join(dirname(require.resolve('prettier/package.json')), 'bin', 'prettier.cjs');

/** The static checks one after another (one core), each with the line it prints when it passes. */
const STATIC = [
  { args: [tsc, '--noEmit'], name: 'tsc --noEmit', ok: 'no type errors' },
  { args: [eslint, '--max-warnings', '0', '.'], name: 'eslint', ok: 'no problems' },
  // --cache: prettier's own, by content (node_modules/.cache/prettier): a rerun checks only what changed.
  { args: [prettier, '--check', '--cache', '--log-level', 'warn', '.'], name: 'prettier --check', ok: 'formatted' },
];

/** One after another. */
async function staticChecks() {
  const results = [];
  for (const check of STATIC) results.push({ ...check, ...(await run(check.args, ['ignore', 'pipe', 'pipe'])) });
  return results;
}

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
const [checks, tests] = await Promise.all([staticChecks(), run([vitest, 'run', ...process.argv.slice(2)], 'inherit')]);
for (const c of checks) process.stdout.write(c.code === 0 ? `${c.name}: ${c.ok}\n` : `${c.name} failed:\n${c.out}`);
process.stdout.write(`npm test: ${((performance.now() - started) / 1000).toFixed(1)} s wall\n`);
process.exit(checks.find((c) => c.code !== 0)?.code ?? tests.code);
