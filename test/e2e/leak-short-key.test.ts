// A key shorter than 8 characters (a placeholder `x` left in a CI variable) is a usage error: exit 2
// and one line that names the variable and the key's length, never its value — for check, sweep and
// the exporter, which refuses it at start-up instead of serving. Before, a 1-character key made the
// redactor spin until the heap ran out (test/unit/http/redact-tiny.test.ts), so the 1-character
// cases run the binary, with a small heap: a regression ends that process, not the test's.
import { writeFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { runInProcess } from '../helpers/in-process.js';
import { tempDir } from '../helpers/tmp.js';

const tmp = tempDir();
afterAll(() => tmp.remove());

const SMALL_HEAP = { NODE_OPTIONS: '--max-old-space-size=128' };
const TARGET = ['--registry-url', 'http://127.0.0.1:9'];

const message = (where: string, n: number) =>
  `hokus-check: the key in ${where} is ${n} character${n === 1 ? '' : 's'}: a Hokusai key is hk_live_… or hk_test_… and much longer — a placeholder left in a CI variable?\n`;

function configFile(): string {
  const path = tmp.file('hokus-check.config.json');
  writeFileSync(path, JSON.stringify({ environments: { prod: { registryUrl: 'http://127.0.0.1:9' } } }));
  return path;
}

describe('a key shorter than 8 characters', () => {
  it('check and the exporter refuse a 1-character key: exit 2, one line, and nothing listens', async () => {
    const config = configFile();
    const [check, exporter] = await Promise.all([
      runCli(TARGET, { env: { HOKUSAI_API_KEY: 'x', ...SMALL_HEAP }, timeoutMs: 60_000 }),
      runCli(['exporter', '--config', config, '--listen', '127.0.0.1:0'], {
        env: { HOKUSAI_API_KEY: 'x', ...SMALL_HEAP },
        timeoutMs: 60_000,
      }),
    ]);
    expect(check.code, check.stderr.slice(0, 300)).toBe(2);
    expect(check.stdout).toBe('');
    expect(check.stderr).toBe(message('HOKUSAI_API_KEY', 1));
    expect(exporter.code, exporter.stderr.slice(0, 300)).toBe(2);
    expect(exporter.stdout).toBe('');
    expect(exporter.stderr).toBe(`hokus-check: environment "prod": ${message('HOKUSAI_API_KEY', 1).slice('hokus-check: '.length)}`);
  });

  it.each([
    ['HOKUSAI_API_KEY', 'q7'],
    ['HOKUSAI_API_KEY', 'hk_test'],
    ['MY_KEY', 'changem'],
  ])('%s holding %j: named with its length, its value never shown', async (variable, value) => {
    const args = variable === 'HOKUSAI_API_KEY' ? TARGET : [...TARGET, '--api-key-env', variable];
    const run = await runInProcess(args, { env: { [variable]: value } });
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(message(variable, value.length));
    expect(run.stdout).toBe('');
    expect(run.all.replace(/hk_live_|hk_test_|HOKUSAI_API_KEY/g, '')).not.toContain(value);
  });

  it('read from stdin, and with surrounding whitespace trimmed first', async () => {
    const stdin = await runInProcess([...TARGET, '--api-key-stdin'], { input: 'abc\n' });
    expect(stdin.code).toBe(2);
    expect(stdin.stderr).toBe(
      'hokus-check: the key on stdin is 3 characters: a Hokusai key is hk_live_… or hk_test_… and much longer — a placeholder left in a CI variable?\n',
    );
    const padded = await runInProcess(TARGET, { env: { HOKUSAI_API_KEY: '  xyz  ' } });
    expect(padded.code).toBe(2);
    expect(padded.stderr).toContain(message('HOKUSAI_API_KEY', 3));
    expect(padded.all).not.toContain('xyz');
  });

  it('sweep refuses it the same way', async () => {
    const run = await runInProcess(['sweep', ...TARGET], { env: { HOKUSAI_API_KEY: 'short' } });
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(message('HOKUSAI_API_KEY', 5));
  });

  it('a key of 8 characters or more is not refused for its length', async () => {
    const run = await runInProcess(TARGET, { env: { HOKUSAI_API_KEY: 'hk_test_abcdefgh12345678' } });
    expect(run.code).toBe(3);
    expect(run.stderr).not.toContain('character');
  });
});
