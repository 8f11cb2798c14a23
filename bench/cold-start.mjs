// Figure 1: cold start. `hokus-check --version` and `--help` against bare `node -e 0`, interleaved so
// that a slow moment of the machine hits all three alike.
import { stats, timed } from './measure.mjs';

const NODE = process.execPath;

export async function coldStart({ runs }) {
  const cases = {
    node: ['-e', '0'],
    version: ['bin/hokus-check.js', '--version'],
    help: ['bin/hokus-check.js', '--help'],
  };
  const samples = { node: [], version: [], help: [] };
  // One unmeasured round: the files are in the page cache for every measured one.
  for (const args of Object.values(cases)) await timed(NODE, args);
  for (let i = 0; i < runs; i++) {
    for (const [name, args] of Object.entries(cases)) {
      const r = await timed(NODE, args);
      if (r.code !== 0) throw new Error(`node ${args.join(' ')} exited ${r.code}: ${r.stderr}`);
      samples[name].push(r.ms);
    }
  }
  return { node: stats(samples.node), version: stats(samples.version), help: stats(samples.help) };
}
