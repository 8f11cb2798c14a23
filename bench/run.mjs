// `npm run bench` (after `node build.mjs`): measures hokus-check on this machine and prints one table
// of medians (min–max) — cold start, a full check against the undici floor, CPU per exchange, and a
// large artifact against curl — then writes the same as JSON to bench/results.json.
//   BENCH_RUNS           repetitions of figures 1–3 (default 20)
//   BENCH_ARTIFACT       artifact size for figure 4 (default 1GiB; e.g. 256MiB for a quick run; 0 = skip)
//   BENCH_ARTIFACT_RUNS  repetitions of figure 4 (default 5)
//   BENCH_LATENCY        added latency per request of figure 2's second run, ms (default 20; 0 = skip it)
import { execFileSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { artifact } from './artifact.mjs';
import { coldStart } from './cold-start.mjs';
import { exporterFigures, exporterRows } from './exporter.mjs';
import { fullCheck } from './full-check.mjs';
import { ROOT, cleanupScratch } from './measure.mjs';
import { startBenchStack } from './stack.mjs';
import { figureRows, renderTable } from './table.mjs';

const runs = positiveInt(process.env.BENCH_RUNS, 20, 'BENCH_RUNS');
const artifactRuns = positiveInt(process.env.BENCH_ARTIFACT_RUNS, 5, 'BENCH_ARTIFACT_RUNS');
const artifactSize = process.env.BENCH_ARTIFACT ?? '1GiB';
// BENCH_EXPORTER_RUNS: rounds of figure 5 (default 5; 0 = skip).
const exporterRuns = process.env.BENCH_EXPORTER_RUNS === '0' ? 0 : positiveInt(process.env.BENCH_EXPORTER_RUNS, 5, 'BENCH_EXPORTER_RUNS');
const artifactBytes = parseSize(artifactSize);
const latencyMs = process.env.BENCH_LATENCY === '0' ? 0 : positiveInt(process.env.BENCH_LATENCY, 20, 'BENCH_LATENCY');

if (!existsSync(join(ROOT, 'dist/cli.js'))) {
  process.stderr.write('bench: dist/ is missing; run `npm run bench` (it builds first) or `node build.mjs`\n');
  process.exit(2);
}

const log = (line) => process.stderr.write(`bench: ${line}\n`);
const results = { date: new Date().toISOString(), machine: machine(), runs, artifactRuns, artifactSize };
let stack;
// Ctrl-C: no GiB-sized file or stack directory left behind in the temp dir.
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => {
    log('interrupted; cleaning up');
    cleanupScratch()
      .then(() => stack?.close())
      .catch(() => {})
      .finally(() => process.exit(130));
  });
}
try {
  log(`cold start (${runs} runs)…`);
  results.coldStart = await coldStart({ runs });

  // pendingPolls 0: model versions are READY at once, so neither the check nor the floor waits on a
  // register poll and the comparison is between request paths, not between sleeps.
  stack = await startBenchStack({ pendingPolls: 0 });
  log(`full check vs floor (${runs} runs each)…`);
  results.fullCheck = await fullCheck({ stack, runs });
  if (!results.fullCheck.sameRequests)
    log('WARNING: the floor script no longer sends the same requests as the check; update bench/floor.mjs');
  if (latencyMs > 0) {
    log(`full check vs floor, ${latencyMs} ms per request (${runs} runs each)…`);
    results.fullCheckLatency = await fullCheck({ stack, runs, latencyMs });
  }

  if (artifactBytes > 0) {
    log(`${artifactSize} artifact vs curl (${artifactRuns} runs each)…`);
    results.artifact = await artifact({ stack, size: artifactBytes, sizeText: artifactSize, runs: artifactRuns });
  }
  if (exporterRuns > 0) results.exporter = await exporterFigures({ runs: exporterRuns, log });
} finally {
  await cleanupScratch();
  await stack?.close();
}

const rows = figureRows(results);
if (results.exporter) rows.push(...exporterRows(results.exporter));
results.table = rows;
const m = results.machine;
process.stdout.write(
  `\nhokus-check bench · ${results.date.slice(0, 10)} · ${m.nproc} CPUs (${m.cpu}) · node ${m.node} · ${runs} runs${artifactBytes > 0 ? ` · artifact ${artifactSize} × ${artifactRuns}` : ''}\n\n`,
);
process.stdout.write(`${renderTable(rows)}\n`);
if (!results.fullCheck.sameRequests) process.stdout.write('\n(!) the floor no longer sends the same requests as the check\n');
writeFileSync(join(ROOT, 'bench/results.json'), `${JSON.stringify(results, null, 2)}\n`);
process.stdout.write('\nwritten: bench/results.json\n');

function machine() {
  const cpus = os.cpus();
  return {
    nproc: nproc(),
    cpu: cpus[0]?.model.trim() ?? 'unknown',
    node: process.version,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    memGiB: Math.round(os.totalmem() / 2 ** 30),
    curl: curlVersion(),
  };
}

function nproc() {
  try {
    return Number(execFileSync('nproc', { encoding: 'utf8' }).trim());
  } catch {
    return os.availableParallelism?.() ?? os.cpus().length;
  }
}

function curlVersion() {
  try {
    return execFileSync('/usr/bin/curl', ['--version'], { encoding: 'utf8' }).split('\n')[0];
  } catch {
    return 'missing';
  }
}

function positiveInt(text, fallback, name) {
  if (text === undefined || text === '') return fallback;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${name}: "${text}" is not a positive integer`);
  return n;
}

/** '1GiB', '256MiB', '4KiB', '1000000' → bytes; '0' → 0 (skip). */
function parseSize(text) {
  const m = /^(\d+(?:\.\d+)?)\s*(B|KiB|MiB|GiB)?$/i.exec(text.trim());
  if (!m) throw new Error(`BENCH_ARTIFACT: "${text}" is not a size like 1GiB or 256MiB`);
  const unit = { b: 1, kib: 1024, mib: 1024 ** 2, gib: 1024 ** 3 }[(m[2] ?? 'b').toLowerCase()];
  return Math.round(Number(m[1]) * unit);
}
