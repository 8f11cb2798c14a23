// Preloaded into a measured process (`node --import ./bench/rusage-hook.mjs …`): when it exits, it
// writes its own getrusage() — CPU time and peak RSS, which a parent cannot read from a child in
// Node — to the file named by BENCH_RUSAGE_FILE. No external tool (/usr/bin/time) needed.
import { writeFileSync } from 'node:fs';

const file = process.env.BENCH_RUSAGE_FILE;
if (file) {
  process.on('exit', () => {
    const u = process.resourceUsage();
    // userCPUTime/systemCPUTime in µs, maxRSS in KiB.
    writeFileSync(file, JSON.stringify({ userUs: u.userCPUTime, systemUs: u.systemCPUTime, maxRssKiB: u.maxRSS }));
  });
}
