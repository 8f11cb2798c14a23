// Running a measured process and summarising samples. Every timed child is spawned asynchronously:
// the embedded stack lives in this process, and its event loop must keep serving meanwhile.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));
const HOOK = fileURLToPath(new URL('./rusage-hook.mjs', import.meta.url));
let scratch;
let closed = false;
let seq = 0;
const running = new Set();

/**
 * Runs `command args…`, resolves with its wall time (spawn → exit, ms), exit code and output.
 * With `rusage: true` the command must be node: the hook is preloaded and its CPU time (ms) and
 * peak RSS (MiB) come back too.
 */
export function timed(command, args, { env = {}, rusage = false, input } = {}) {
  const file = scratchFile(`rusage-${++seq}.json`);
  const argv = rusage ? ['--import', HOOK, ...args] : args;
  const childEnv = { PATH: process.env.PATH, HOME: process.env.HOME, CI: 'true', NO_COLOR: '1', ...env };
  if (rusage) childEnv.BENCH_RUSAGE_FILE = file;
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(command, argv, { cwd: ROOT, env: childEnv, stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] });
    running.add(child);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    if (input !== undefined) child.stdin.end(input);
    child.on('error', reject);
    child.on('close', (code) => {
      running.delete(child);
      const ms = performance.now() - started;
      const out = { ms, code, stdout, stderr };
      if (rusage) {
        try {
          const u = JSON.parse(readFileSync(file, 'utf8'));
          rmSync(file, { force: true });
          Object.assign(out, { cpuMs: (u.userUs + u.systemUs) / 1000, rssMiB: u.maxRssKiB / 1024 });
        } catch {
          // The process died before its exit hook: no figures for this run.
        }
      }
      resolve(out);
    });
  });
}

/** Like timed(), but a non-zero exit is an error (with the output, to see why). */
export async function mustPass(command, args, options) {
  const r = await timed(command, args, options);
  if (r.code !== 0) throw new Error(`${[command, ...args].join(' ')} exited ${r.code}\n${r.stderr.slice(-2000)}\n${r.stdout.slice(-2000)}`);
  return r;
}

/** Median, min and max of a list of numbers. */
export function stats(samples) {
  const s = samples.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (s.length === 0) return { median: NaN, min: NaN, max: NaN, n: 0 };
  const mid = s.length >> 1;
  const median = s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
  return { median, min: s[0], max: s[s.length - 1], n: s.length };
}

/** A path in this bench run's temp dir (made on first use, removed by cleanupScratch). */
export function scratchFile(name) {
  if (closed) throw new Error('bench: stopping');
  scratch ??= mkdtempSync(join(tmpdir(), 'hokus-bench-'));
  return join(scratch, name);
}

/**
 * Ends the measured processes still running, waits for them (a check still writes its report on
 * SIGTERM), then removes the temp dir. Nothing is measured afterwards.
 */
export async function cleanupScratch() {
  closed = true;
  const exits = [...running].map((child) => new Promise((resolve) => child.once('close', resolve)));
  for (const child of running) child.kill('SIGTERM');
  await Promise.all(exits);
  if (scratch) rmSync(scratch, { recursive: true, force: true });
}
