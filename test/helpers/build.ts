// vitest globalSetup: the e2e tests spawn dist/, so build it once before any test runs. A failed
// build is reported but does not stop unit tests; the e2e tests then fail on their own.
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export default function setup(): void {
  const root = fileURLToPath(new URL('../..', import.meta.url));
  try {
    execFileSync(process.execPath, ['build.mjs', '--no-clean'], { cwd: root, stdio: 'pipe' });
  } catch (err) {
    const stderr = (err as { stderr?: Buffer }).stderr?.toString() ?? String(err);
    console.warn(`build failed; e2e tests will fail:\n${stderr.slice(0, 2000)}`);
  }
}
