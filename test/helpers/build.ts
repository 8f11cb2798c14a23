// vitest globalSetup: first, the programs the tests start (real proxies, Prometheus, …) must be
// installed — else one message names them and the command that installs them, instead of a dozen
// failures (scripts/test-machine.sh owns the list). Then the e2e tests spawn dist/, so build it once
// before any test runs. A failed build is reported but does not stop unit tests; the e2e tests then
// fail on their own.
import { execFileSync, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export default function setup(): void {
  const root = fileURLToPath(new URL('../..', import.meta.url));
  const check = spawnSync('bash', ['scripts/test-machine.sh', '--check'], { cwd: root, encoding: 'utf8' });
  if (check.status !== 0)
    throw new Error(
      `${check.stderr.trim() || check.stdout.trim()}\n(or run the README's test line, \`bash scripts/test-machine.sh && npm test\`, which installs them as root)`,
    );
  try {
    execFileSync(process.execPath, ['build.mjs', '--no-clean'], { cwd: root, stdio: 'pipe' });
  } catch (err) {
    const stderr = (err as { stderr?: Buffer }).stderr?.toString() ?? String(err);
    console.warn(`build failed; e2e tests will fail:\n${stderr.slice(0, 2000)}`);
  }
}
