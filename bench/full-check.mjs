// Figures 2 and 3: a full passing check against the embedded stack (started once, outside the timed
// region), spawned as a user runs it, against bench/floor.mjs — the same requests sent one after
// another by a minimal undici script. Both are spawned the same way (node + the rusage hook), so
// node's own start-up is in both. The CLI's CPU time per exchange comes from the same runs.
import { readFileSync } from 'node:fs';
import { startLatencyFront } from './latency-front.mjs';
import { mustPass, scratchFile, stats } from './measure.mjs';

const NODE = process.execPath;

/**
 * `latencyMs` > 0: the check and the floor reach the registry and the auth service through a front
 * that delays every request that long (latency-front.mjs). `node -e 0` runs interleaved too: the
 * CPU a check costs beyond Node's own start.
 */
export async function fullCheck({ stack, runs, latencyMs = 0 }) {
  const fronts =
    latencyMs > 0 ? await Promise.all([startLatencyFront(stack.registryUrl, latencyMs), startLatencyFront(stack.authUrl, latencyMs)]) : [];
  try {
    const [registryUrl, authUrl] = fronts.length > 0 ? fronts.map((f) => f.url) : [stack.registryUrl, stack.authUrl];
    return await measure({ stack, runs, registryUrl, authUrl, latencyMs });
  } finally {
    await Promise.all(fronts.map((f) => f.close()));
  }
}

async function measure({ stack, runs, registryUrl, authUrl, latencyMs }) {
  const env = { HOKUSAI_API_KEY: stack.apiKey };
  const cli = ['bin/hokus-check.js', '--registry-url', registryUrl, '--auth-url', authUrl];
  const floor = ['bench/floor.mjs', registryUrl, authUrl];

  // Unmeasured: creates the `hokus-check` experiment (every later run, CLI or floor, finds it and
  // sends the same requests), warms the page cache, and tells which requests a check makes.
  const report = scratchFile('full-check.json');
  await mustPass(NODE, cli, { env });
  await mustPass(NODE, [...cli, '--json', report], { env });
  const exchanges = JSON.parse(readFileSync(report, 'utf8')).targets[0].exchanges;
  const cliRequests = exchanges.map((x) => `${x.request.method} ${new URL(x.request.url).pathname}`);
  const floorRequests = JSON.parse((await mustPass(NODE, floor, { env })).stdout).requests;
  const same = sameRequests(cliRequests, floorRequests);

  const wall = { cli: [], floor: [] };
  const cpu = { cli: [], floor: [], node: [] };
  for (let i = 0; i < runs; i++) {
    const c = await mustPass(NODE, cli, { env, rusage: true });
    const f = await mustPass(NODE, floor, { env, rusage: true });
    const n = await mustPass(NODE, ['-e', '0'], { rusage: true });
    wall.cli.push(c.ms);
    wall.floor.push(f.ms);
    cpu.cli.push(c.cpuMs);
    cpu.floor.push(f.cpuMs);
    cpu.node.push(n.cpuMs);
  }
  const n = exchanges.length;
  return {
    latencyMs,
    exchanges: n,
    requests: cliRequests,
    sameRequests: same,
    wall: { cli: stats(wall.cli), floor: stats(wall.floor) },
    cpu: { cli: stats(cpu.cli), floor: stats(cpu.floor), node: stats(cpu.node) },
    cpuPerExchange: {
      cli: stats(cpu.cli.map((ms) => ms / n)),
      floor: stats(cpu.floor.map((ms) => ms / floorRequests.length)),
    },
  };
}

/**
 * The same requests, ids aside. Compared as sorted lists: the check sends auth and the two health
 * requests concurrently, so their order varies; the floor sends everything in sequence.
 */
function sameRequests(a, b) {
  const norm = (list) => list.map((r) => r.replace(/[0-9a-f]{12,}/g, 'ID')).sort();
  const x = norm(a);
  const y = norm(b);
  return x.length === y.length && x.every((r, i) => r === y[i]);
}
