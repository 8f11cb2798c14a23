// The embedded stack for the bench, started in the bench's own process (outside every timed region).
// src/sim/stack.ts is TypeScript with no package imports: esbuild bundles it to a temp file that
// node imports directly, so nothing in dist/ has to export it.
import { build } from 'esbuild';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/**
 * Starts the stack with `options` (StackOptions of src/sim/stack.ts). The returned stack's close()
 * also removes the bundle.
 */
export async function startBenchStack(options) {
  const dir = mkdtempSync(join(tmpdir(), 'hokus-bench-stack-'));
  const outfile = join(dir, 'stack.mjs');
  try {
    await build({
      entryPoints: [join(ROOT, 'src/sim/stack.ts')],
      outfile,
      bundle: true,
      format: 'esm',
      platform: 'node',
      target: 'node20',
      logLevel: 'warning',
    });
    const { startStack } = await import(pathToFileURL(outfile).href);
    const stack = await startStack(options);
    const close = stack.close;
    return {
      ...stack,
      close: async () => {
        await close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
}
