// What only the real binary shows: its argv, the process's exit status, stdin and stdout as pipes.
// Everything else runs in-process (test/helpers/in-process.ts); signals are in signal.test.ts.
import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type Stack } from '../../src/sim/stack.js';
import { BIN, runCli, stackArgs } from '../helpers/cli.js';
import { readReport } from '../helpers/report.js';
import { tempDir } from '../helpers/tmp.js';

const tmp = tempDir();
afterAll(() => tmp.remove());

describe('the hokus-check binary', () => {
  it('prints its version and exits 0', async () => {
    const run = await runCli(['--version']);
    expect(run.code, run.all).toBe(0);
    expect(run.stdout).toMatch(/^\d+\.\d+\.\d+\n$/);
  });

  it('prints help naming the commands and the exit codes, and exits 0', async () => {
    const run = await runCli(['--help']);
    expect(run.code, run.all).toBe(0);
    for (const command of ['check', 'demo', 'sim', 'explain', 'schema', 'init', 'sweep'])
      expect(run.stdout).toMatch(new RegExp(`^\\s+${command}\\b`, 'm'));
    expect(run.stdout).toContain('Exit codes: 0 passed');
  });

  it('exits 2 with one line and no stack trace for an unknown flag', async () => {
    const run = await runCli(['--registry-urll', 'http://x']);
    expect(run.code, run.all).toBe(2);
    expect(run.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^hokus-check: unknown option '--registry-urll'/)]);
    expect(run.stdout).toBe('');
  });

  it('exits 2 for an unknown diagnosis code', async () => {
    const run = await runCli(['explain', 'NO_SUCH_CODE']);
    expect(run.code, run.all).toBe(2);
  });

  it('ends quietly with exit 0 when the reader of stdout closes the pipe early (| head)', async () => {
    const child = spawn(process.execPath, [BIN, 'schema'], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { PATH: process.env.PATH, CI: 'true' },
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdout.destroy(); // closed before the first write: every write meets EPIPE
    const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
    expect(code, stderr).toBe(0);
    expect(stderr).toBe('');
  });

  describe('a check', () => {
    let stack: Stack;
    beforeAll(async () => {
      stack = await startStack({ faults: ['artifacts-misrouted'] });
    });
    afterAll(() => stack.close());

    it('reads the key from the real stdin with --api-key-stdin, and its exit status is the verdict (1)', async () => {
      const json = tmp.file('binary.json');
      const run = await runCli([...stackArgs(stack), '--api-key-stdin', '--json', json], { input: `${stack.apiKey}\n` });
      expect(run.code, run.all).toBe(1);
      expect(readReport(json).exitCode).toBe(1);
      expect(run.stdout).toContain('ROUTE_ARTIFACTS_MISROUTED');
      expect(run.all).not.toContain(stack.apiKey);
    });
  });
});
