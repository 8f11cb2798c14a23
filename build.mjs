// Bundles src/ into dist/ with esbuild: ESM, code-split so that each command's modules load only
// when that command runs (cold start of --version/--help stays near bare Node). Dependencies stay
// external and are loaded from node_modules.
import { build } from 'esbuild';
import { readFileSync, rmSync } from 'node:fs';

const pkg = JSON.parse(readFileSync('package.json', 'utf8'));

// --no-clean (the test setup) overwrites in place, so a CLI spawned meanwhile by another test run
// never finds dist/ missing.
if (!process.argv.includes('--no-clean')) rmSync('dist', { recursive: true, force: true });
await build({
  entryPoints: { cli: 'src/cli.ts' },
  outdir: 'dist',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  packages: 'external',
  sourcemap: 'linked',
  logLevel: 'warning',
  chunkNames: 'chunks/[name]-[hash]',
  define: { __VERSION__: JSON.stringify(pkg.version) },
});
