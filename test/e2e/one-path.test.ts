// `check` and the exporter's probe take one path (src/commands/check-one.ts): the same slow
// deployment, cut short by `check --deadline` and by a scrape's budget of the same length, gives the
// same step statuses and the same root cause, DEADLINE_EXCEEDED on register, in both.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveSettings } from '../../src/config/resolve.js';
import { ApiKey } from '../../src/http/secret.js';
import { runProbe } from '../../src/exporter/probe.js';
import { startStack, type Stack } from '../../src/sim/stack.js';
import { stackArgs } from '../helpers/cli.js';
import { runInProcess } from '../helpers/in-process.js';
import { readReport } from '../helpers/report.js';
import { tempDir } from '../helpers/tmp.js';

const tmp = tempDir();
let stack: Stack;
beforeAll(async () => {
  // registered-models/create holds its answer for a minute: only the budget ends it.
  stack = await startStack({ faults: ['slow'], slowMs: 60_000 });
});
afterAll(async () => {
  await stack.close();
  tmp.remove();
});

const STEPS_MS = 2500;
/** Above the budget (the budget ends the create, not its timeout) and short: cleanup looks for the model for twice it (steps/cleanup.ts). */
const TIMEOUT = '3s';

describe('one path for check and the exporter', () => {
  it('a deadline and a scrape budget of the same length end the same way: DEADLINE_EXCEEDED at register', async () => {
    const json = tmp.file('check.json');
    const [run, probe] = await Promise.all([
      runInProcess([...stackArgs(stack), '--deadline', `${STEPS_MS}ms`, '--timeout', TIMEOUT, '--json', json], {
        env: { HOKUSAI_API_KEY: stack.apiKey },
      }),
      runProbe(
        {
          settings: resolveSettings({
            flags: { registryUrl: stack.registryUrl, authUrl: stack.authUrl, timeout: TIMEOUT },
            env: {},
            cwd: tmp.path,
          }),
          key: { key: new ApiKey(stack.apiKey), hadWhitespace: false },
        },
        { version: '0.0.0-test', env: {}, budget: { stepsMs: STEPS_MS, totalMs: STEPS_MS + 1500 }, stop: new AbortController().signal },
      ),
    ]);
    expect(run.code, run.all).toBe(1);
    const fromCheck = readReport(json).targets[0]!;
    const fromProbe = probe.targets[0]!;
    const statuses = (t: typeof fromCheck) => t.steps.filter((s) => s.id !== 'cleanup').map((s) => `${s.id}:${s.status}`);
    expect(statuses(fromProbe)).toEqual(statuses(fromCheck));
    expect(statuses(fromCheck)).toContain('register:fail');
    const root = (t: typeof fromCheck) => t.findings.filter((f) => f.rootCause).map((f) => `${f.code}@${f.step}`);
    expect(root(fromCheck)).toEqual(['DEADLINE_EXCEEDED@register']);
    expect(root(fromProbe)).toEqual(root(fromCheck));
  });
});
