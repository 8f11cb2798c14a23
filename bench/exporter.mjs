// Figure 5: `hokus-check exporter` probing 20 environments at once against probing one. One embedded
// stack (in the bench's own process) is named by 20 environments of one config; a spawned exporter
// (peak RSS and CPU from bench/rusage-hook.mjs) answers /probe?env=… . Timed: one probe, and 20 probes
// of 20 different environments sent together (until the last answer), interleaved, after one
// unmeasured round. Every answer must be a passing check, or the figure is not taken.
// Two stacks: 'cpu-bound' answers at once (pendingPolls 0: a probe is all CPU, exporter and stack
// sharing the machine's cores), 'registry latency' keeps each new model version PENDING for 3 polls
// (100 + 200 + 400 ms, as MLflow registers asynchronously) — a probe then mostly waits, as against a
// real deployment. Run by `npm run bench` (BENCH_EXPORTER_RUNS rounds, default 5; 0 skips), or alone:
//   node build.mjs && node bench/exporter.mjs
import { spawn } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { ROOT, cleanupScratch, scratchFile, stats } from './measure.mjs';
import { startBenchStack } from './stack.mjs';

const HOOK = fileURLToPath(new URL('./rusage-hook.mjs', import.meta.url));
// Node flags for the exporter, to look inside it, e.g. BENCH_EXPORTER_NODE_ARGS='--cpu-prof --cpu-prof-dir=/tmp/prof'.
const NODE_ARGS = (process.env.BENCH_EXPORTER_NODE_ARGS ?? '').split(' ').filter(Boolean);

/**
 * @param {{ stack: { registryUrl: string, authUrl: string, apiKey: string }, runs: number, envs: number, log?: (l: string) => void }} o
 */
export async function exporterFigure({ stack, runs, envs, log = () => {} }) {
  const names = Array.from({ length: envs }, (_, i) => `env${String(i + 1).padStart(2, '0')}`);
  const config = scratchFile('exporter.config.json');
  const environments = Object.fromEntries(
    names.map((n) => [n, { registryUrl: stack.registryUrl, authUrl: stack.authUrl, apiKeyEnv: 'HOKUSAI_API_KEY' }]),
  );
  writeFileSync(config, JSON.stringify({ environments }));
  const rusageFile = scratchFile('exporter-rusage.json');

  const child = spawn(
    process.execPath,
    [...NODE_ARGS, '--import', HOOK, join(ROOT, 'bin/hokus-check.js'), 'exporter', '--listen', '127.0.0.1:0', '--config', config],
    {
      cwd: ROOT,
      env: { PATH: process.env.PATH, HOME: process.env.HOME, HOKUSAI_API_KEY: stack.apiKey, BENCH_RUSAGE_FILE: rusageFile },
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  let stderr = '';
  const url = await new Promise((resolve, reject) => {
    child.stderr.on('data', (d) => {
      stderr += d;
      const m = /listening on (http:\/\/[^\s]+)/.exec(stderr);
      if (m) resolve(m[1]);
    });
    child.once('exit', (code) => reject(new Error(`exporter exited ${code}\n${stderr.slice(-2000)}`)));
  });
  const exited = new Promise((resolve) => child.once('exit', resolve));

  const probe = async (env) => {
    const res = await fetch(`${url}/probe?env=${env}`, { headers: { 'X-Prometheus-Scrape-Timeout-Seconds': '60' } });
    const body = await res.text();
    if (res.status !== 200 || !body.includes(`hokus_check_success{env="${env}"} 1\n`)) {
      throw new Error(`probe of ${env}: ${res.status} and not a passing check\n${body.slice(0, 2000)}`);
    }
  };
  const single = [];
  const concurrent = [];
  try {
    for (let round = 0; round <= runs; round++) {
      let t = performance.now();
      await probe(names[0]);
      const one = performance.now() - t;
      t = performance.now();
      await Promise.all(names.map(probe));
      const all = performance.now() - t;
      if (round === 0) continue; // warm-up
      single.push(one);
      concurrent.push(all);
      log(`exporter round ${round}: 1 probe ${one.toFixed(0)} ms, ${envs} concurrent ${all.toFixed(0)} ms`);
    }
  } finally {
    child.kill('SIGTERM');
    await exited;
  }
  let rssMiB = NaN;
  let cpuMsPerCheck = NaN;
  try {
    const u = JSON.parse(readFileSync(rusageFile, 'utf8'));
    rssMiB = u.maxRssKiB / 1024;
    cpuMsPerCheck = (u.userUs + u.systemUs) / 1000 / ((runs + 1) * (envs + 1));
    rmSync(rusageFile, { force: true });
  } catch {
    // No figure when the exporter died before its exit hook.
  }
  const s = stats(single);
  const c = stats(concurrent);
  return { envs, runs, single: s, concurrent: c, ratio: c.median / s.median, peakRssMiB: rssMiB, cpuMsPerCheck };
}

const VARIANTS = [
  { name: 'cpu-bound', pendingPolls: 0 },
  { name: 'registry latency', pendingPolls: 3 },
];

/** Both variants, each against its own stack. */
export async function exporterFigures({ runs, envs = 20, log = () => {} }) {
  const out = [];
  for (const variant of VARIANTS) {
    const stack = await startBenchStack({ pendingPolls: variant.pendingPolls });
    try {
      log(`exporter, ${variant.name}: ${envs} environments (${runs} rounds)…`);
      out.push({ variant: variant.name, pendingPolls: variant.pendingPolls, ...(await exporterFigure({ stack, runs, envs, log })) });
    } finally {
      await stack.close();
    }
  }
  return out;
}

/**
 * Table rows (bench/table.mjs's shape) for figure 5. The ratio's target holds where a probe mostly
 * waits, as against a real deployment ('registry latency'). Against a stack that answers at once a
 * probe is all CPU, and 20 of them cannot take less than 20 × (exporter's + stack's CPU per check)
 * ÷ cores: that row is shown for the CPU cost, without a target.
 */
export function exporterRows(figures) {
  const ms = (s) => `${s.median.toFixed(0)} ms (${s.min.toFixed(0)}–${s.max.toFixed(0)})`;
  return figures.flatMap((f, i) => {
    const bound = f.pendingPolls > 0;
    return [
      {
        figure: `${i === 0 ? '5' : ' '} exporter: ${f.envs} envs at once, ${f.variant}`,
        tool: ms(f.concurrent),
        refName: '1 probe',
        ref: ms(f.single),
        ratio: `${f.ratio.toFixed(2)}×`,
        target: bound ? '≤ 1.5×' : '(none)',
        met: bound ? (f.ratio <= 1.5 ? 'yes' : 'NO') : '',
        value: f.ratio,
      },
      {
        figure: `  exporter peak RSS, ${f.variant}`,
        tool: `${f.peakRssMiB.toFixed(0)} MiB`,
        refName: 'CPU per check',
        ref: `${f.cpuMsPerCheck.toFixed(1)} ms`,
        ratio: '',
        target: '≤ 150 MiB',
        met: f.peakRssMiB <= 150 ? 'yes' : 'NO',
        value: f.peakRssMiB,
      },
    ];
  });
}

// Alone: node bench/exporter.mjs
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const runs = Number(process.env.BENCH_EXPORTER_RUNS ?? 5);
  try {
    const figures = await exporterFigures({ runs, log: (l) => process.stderr.write(`bench: ${l}\n`) });
    const { renderTable } = await import('./table.mjs');
    process.stdout.write(`${renderTable(exporterRows(figures))}\n`);
    process.stdout.write(`${JSON.stringify(figures)}\n`);
  } finally {
    await cleanupScratch();
  }
}
