// The whole registration check against the embedded stack, as a user runs it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type Stack } from '../../src/sim/stack.js';
import { stackArgs } from '../helpers/cli.js';
import { runInProcess } from '../helpers/in-process.js';
import { refusingUrl } from '../helpers/ports.js';
import { parseReport, readReport, stepOf } from '../helpers/report.js';
import { tempDir } from '../helpers/tmp.js';

const tmp = tempDir();
afterAll(() => tmp.remove());

describe('a healthy deployment', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(() => stack.close());

  it('passes all seven steps, exits 0, and leaves nothing behind', async () => {
    const json = tmp.file('healthy.json');
    const run = await runInProcess([...stackArgs(stack), '--json', json], { env: { HOKUSAI_API_KEY: stack.apiKey } });
    expect(run.code, run.all).toBe(0);
    for (const id of ['auth', 'health', 'experiments', 'run', 'artifact', 'register', 'cleanup']) {
      expect(run.stdout).toMatch(new RegExp(`${id}\\s.*pass`));
    }
    const report = readReport(json);
    expect(report.verdict).toBe('pass');
    expect(report.targets[0]!.steps.map((s) => s.status)).toEqual(['pass', 'pass', 'pass', 'pass', 'pass', 'pass', 'pass']);
    expect(report.targets[0]!.findings).toEqual([]);

    const inv = stack.inventory();
    expect(inv.runs.filter((r) => r.lifecycleStage === 'active')).toEqual([]);
    expect(inv.registeredModels).toEqual([]);
    expect(inv.artifactFiles).toEqual([]);
  });

  it('prints the report v1 to stdout with --json - and nothing else there', async () => {
    const run = await runInProcess([...stackArgs(stack), '--json', '-'], { env: { HOKUSAI_API_KEY: stack.apiKey } });
    expect(run.code, run.stderr).toBe(0);
    const report = parseReport(run.stdout);
    expect(report.schemaVersion).toBe(1);
    expect(stepOf(report, 'register').status).toBe('pass');
    expect(run.stderr).toMatch(/auth/); // the matrix went to stderr
  });

  it('trims a key with surrounding whitespace, with a warning, and still passes', async () => {
    const run = await runInProcess([...stackArgs(stack), '--only', 'experiments'], { env: { HOKUSAI_API_KEY: ` ${stack.apiKey}\n` } });
    expect(run.code, run.all).toBe(0);
    expect(run.stderr).toMatch(/whitespace; trimmed/);
  });

  it('reads the key from stdin with --api-key-stdin', async () => {
    const run = await runInProcess([...stackArgs(stack), '--api-key-stdin', '--only', 'auth'], { input: `${stack.apiKey}\n` });
    expect(run.code, run.all).toBe(0);
  });
});

describe('a 500 from runs/create', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ faults: ['runs-create-500'] });
  });
  afterAll(() => stack.close());

  it('fails run, blocks artifact and register by run, sends nothing for them, still cleans up, exits 1', async () => {
    const json = tmp.file('runs500.json');
    const run = await runInProcess([...stackArgs(stack), '--json', json], { env: { HOKUSAI_API_KEY: stack.apiKey } });
    expect(run.code, run.all).toBe(1);
    const report = readReport(json);
    const runStep = stepOf(report, 'run');
    expect(runStep.status).toBe('fail');
    expect(runStep.rootCause).toBe(true);
    expect(stepOf(report, 'artifact')).toMatchObject({ status: 'blocked', blockedBy: 'run' });
    expect(stepOf(report, 'register')).toMatchObject({ status: 'blocked', blockedBy: 'run' });
    expect(stepOf(report, 'cleanup').status).toBe('pass');
    // What the CLI sent (the API's own calls to MLflow are not the CLI's).
    const paths = stack
      .requests()
      .filter((r) => r.server === 'api')
      .map((r) => r.path);
    expect(paths.some((p) => p.includes('mlflow-artifacts'))).toBe(false);
    expect(paths.some((p) => p.includes('registered-models') || p.includes('model-versions'))).toBe(false);
    expect(run.stdout).toMatch(/blocked/);
  });
});

describe('unreachable and bad input', () => {
  it('exits 3 naming the host and the error class when nothing listens', async () => {
    const dead = await refusingUrl();
    const run = await runInProcess(['--registry-url', dead, '--auth-url', dead], {
      env: { HOKUSAI_API_KEY: 'hk_test_' + 'x'.repeat(32) },
    });
    expect(run.code, run.all).toBe(3);
    expect(run.stdout).toContain(new URL(dead).host);
    expect(run.stdout).toMatch(/NET_REFUSED|refused/);
    expect(run.all).not.toMatch(/\n\s+at /); // no stack trace
  });

  const usage: Array<[string, string[], Record<string, string>, RegExp]> = [
    ['an unknown flag', ['--registry-urll', 'http://x'], {}, /unknown option/],
    ['no target at all', [], { HOKUSAI_API_KEY: 'hk_test_abc' }, /no target/],
    ['a malformed URL', ['--registry-url', 'registry.hokus.ai'], { HOKUSAI_API_KEY: 'hk_test_abc' }, /not a URL/],
    ['no key', ['--registry-url', 'http://127.0.0.1:9'], {}, /no API key: set HOKUSAI_API_KEY/],
    ['a bad duration', ['--registry-url', 'http://127.0.0.1:9', '--timeout', 'soon'], { HOKUSAI_API_KEY: 'hk_test_abc' }, /timeout/],
  ];
  for (const [what, args, env, message] of usage) {
    it(`exits 2 with one line for ${what}`, async () => {
      const run = await runInProcess(args, { env });
      expect(run.code, run.all).toBe(2);
      expect(run.stderr).toMatch(message);
      expect(run.stderr.trim().split('\n')).toHaveLength(1);
      expect(run.stdout).toBe('');
    });
  }
});
