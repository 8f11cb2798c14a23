// On a real pseudo-terminal (util-linux `script`): a terminal of 0 columns (`script` without a size,
// `docker run -t`, `ssh -tt` before a resize) gets plain progress lines and the process ends by itself;
// on a sized terminal the spinner draws, and SIGTERM/SIGINT end the process whatever the width.
// (TERM=dumb, narrow and unknown widths: progressMode in test/unit/config/safety-bounds.test.ts.)
// Spawned: only the binary on a pty shows this.
import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { BIN } from '../helpers/cli.js';
import { waitFor } from '../helpers/safety-signal.js';

interface PtyRun {
  code: number | null;
  output: string;
  pid?: number;
}

/**
 * Runs `hokus-check demo …` under `script -qefc` with the pty set to `cols` columns; `onPid` gets the
 * CLI's pid once it printed it. Killed (and failed) after `timeoutMs`: a hang is the bug.
 */
function onPty(
  cols: number,
  args: string[],
  opts: { term?: string; onPid?: (pid: number) => void; onOutput?: (output: string) => void; timeoutMs?: number } = {},
): Promise<PtyRun> {
  return new Promise((resolve, reject) => {
    const command = `stty cols ${cols} rows 24; echo PID=$$; exec "${process.execPath}" "${BIN}" demo ${args.join(' ')}`;
    const env: Record<string, string> = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '' };
    if (opts.term) env.TERM = opts.term;
    const child = spawn('script', ['-qefc', command, '/dev/null'], { env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let output = '';
    let pid: number | undefined;
    child.stdout.on('data', (d: Buffer) => {
      output += d.toString();
      opts.onOutput?.(output);
      const m = /PID=(\d+)/.exec(output);
      if (m && pid === undefined) {
        pid = Number(m[1]);
        opts.onPid?.(pid);
      }
    });
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const timer = setTimeout(() => {
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        /* gone */
      }
      reject(
        new Error(
          `did not end by itself within ${opts.timeoutMs ?? 30000} ms; ${output.length} bytes written; last: ${JSON.stringify(output.slice(-300))}`,
        ),
      );
    }, opts.timeoutMs ?? 30000);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, output, ...(pid !== undefined ? { pid } : {}) });
    });
  });
}

describe.concurrent('on a pseudo-terminal', () => {
  it('0 columns: plain progress lines, no spinner, and the process ends by itself', async () => {
    const run = await onPty(0, [], { term: 'xterm' });
    expect(run.code, run.output.slice(-500)).toBe(0);
    expect(run.output).toMatch(/✔ auth pass \d+ms/);
    expect(run.output).toContain('7 steps: 7 passed');
    // No redraws: no cursor movement or line erasing at all.
    expect(run.output).not.toMatch(/\u001b\[\d*[AGK]|\u001b\[\?25l/);
  });

  it('80 columns with TERM set: the spinner draws (on stderr) and the run ends', async () => {
    const run = await onPty(80, [], { term: 'xterm' });
    expect(run.code, run.output.slice(-500)).toBe(0);
    expect(run.output).toContain('7 steps: 7 passed');
    expect(run.output).toMatch(/\u001b\[\?25l/); // ora hid the cursor: the spinner ran
  });

  it('60 columns: every progress line fits the terminal (a long detail is cut, not wrapped)', async () => {
    // The incident: the artifact step's detail names a content type and the health warning a retry.
    const run = await onPty(60, ['--fault', 'artifacts-misrouted'], { term: 'xterm' });
    expect(run.code, run.output.slice(-500)).toBe(1);
    // What stays on screen: ora returns to column 1 (ESC[1G) and erases before it writes a line.
    const shown = run.output
      .replace(/\u001b\[1G/g, '\r')
      .replace(/\u001b\[[0-9;?]*[A-Za-z]/g, '')
      .split('\n')
      .map((line) => line.split('\r').filter(Boolean).at(-1) ?? '');
    const progress = shown.filter((line) => /^[✔✖!▲●○] \S+ (pass|fail|error|warn|blocked|skipped) \d+ms/.test(line));
    expect(progress.length).toBeGreaterThanOrEqual(6);
    expect(progress.filter((line) => [...line].length > 60)).toEqual([]);
    expect(progress.some((line) => line.endsWith('…'))).toBe(true);
  });

  it.each([
    [0, 'SIGTERM', /terminated \(SIGTERM\): cleaning up/],
    [80, 'SIGTERM', /terminated \(SIGTERM\): cleaning up/],
    [0, 'SIGINT', /interrupted: cleaning up/],
  ] as const)('%i columns: %s while a step is in flight ends the process', async (cols, signal, said) => {
    let pid: number | undefined;
    let seen = '';
    // A short timeout: cleanup looks for the held model for twice that, at least 3 s (src/steps/cleanup.ts).
    const ended = onPty(cols, ['--fault', 'slow', '--timeout', '2s'], {
      term: 'xterm',
      onPid: (p) => (pid = p),
      onOutput: (o) => (seen = o),
    });
    // The fault holds registered-models/create: once the artifact step passed, register is in flight.
    await waitFor(() => pid !== undefined && /artifact pass/.test(seen), 20000, 'the check to reach register');
    process.kill(pid!, signal);
    const run = await ended;
    expect(run.output).toMatch(said);
    expect(run.code).toBe(130);
  });

  it('a second Ctrl-C at the terminal quits at once, naming what is left and the sweep that removes it', async () => {
    let pid: number | undefined;
    let seen = '';
    // The fault holds registered-models/create and makes the model land late: cleanup looks for it.
    const ended = onPty(100, ['--fault', 'slow'], { term: 'xterm', onPid: (p) => (pid = p), onOutput: (o) => (seen = o) });
    await waitFor(() => pid !== undefined && /artifact pass/.test(seen), 20000, 'the check to reach register');
    process.kill(pid!, 'SIGINT');
    await waitFor(() => /cleaning up what this check created\s+\(Ctrl-C again to quit now\)/.test(seen), 20000, 'cleanup to start');
    process.kill(pid!, 'SIGINT');
    const run = await ended;
    expect(run.code).toBe(130);
    expect(run.output).toMatch(/quitting without cleanup/);
    // The held model is always among them; the run too unless cleanup deleted it before the second
    // Ctrl-C (on a busy machine it may have).
    expect(run.output.replace(/\s+/g, ' ')).toMatch(
      /left behind by check ([0-9a-f]{12}): .*registered model hokus-check-\1\b.*; remove them with: hokus-check sweep --registry-url http:\/\/127\.0\.0\.1:\d+ .*--check-id \1/,
    );
  });
});
