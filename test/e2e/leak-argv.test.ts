// argv never echoes a key: --api-key / --token / --key (and their = forms) and -k<key> get one line
// saying how keys are passed, exit 2; any argument holding an hk_ key or the value of the key's env
// var — `--config <key>`, `explain <key>`, `demo --fault <key>` — is refused the same way, and the
// URL error never shows a query. Spawned: commander's own messages only show in the binary.
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { findLeaks } from '../helpers/safety-leak.js';

const key = `hk_test_${randomBytes(16).toString('hex')}`;
const token = `ghp_${randomBytes(18).toString('hex')}`;

const CASES: Array<[string[], RegExp]> = [
  [
    ['--api-key', key],
    /^hokus-check: --api-key: an API key is never given on the command line; set the key in HOKUSAI_API_KEY .*--api-key-stdin\n$/,
  ],
  [[`--api-key=${key}`], /^hokus-check: --api-key: /],
  [[`--token=${key}`], /^hokus-check: --token: /],
  [['--key', key], /^hokus-check: --key: /],
  [[`-k${key}`], /^hokus-check: -k: /],
  [['sweep', `--api_key=${key}`], /^hokus-check: --api_key: /],
  [['--config', key], /^hokus-check: an argument holds an API key \(not shown\)/],
  [['explain', key], /^hokus-check: an argument holds an API key \(not shown\)/],
  [['demo', '--fault', key], /^hokus-check: an argument holds an API key \(not shown\)/],
  [['explain', key.toUpperCase()], /^hokus-check: an argument holds an API key/],
  // Not an hk_ key, but the value of the variable the key is read from.
  [['explain', token, '--api-key-env', 'MY_TOKEN'], /^hokus-check: an argument holds an API key/],
];

describe('a key on the command line is refused without being echoed', () => {
  it(`${CASES.length} ways to put a key in argv: one line each, exit 2, nothing echoed`, async () => {
    // Side by side: each is a Node start-up, nothing more.
    const runs = await Promise.all(CASES.map(([args]) => runCli(args, { env: { HOKUSAI_API_KEY: key, MY_TOKEN: token } })));
    runs.forEach((run, i) => {
      const [args, message] = CASES[i]!;
      const what = `${args[0]} … (case ${i})`;
      expect(run.code, what).toBe(2);
      expect(run.stdout, what).toBe('');
      expect(run.stderr, what).toMatch(message);
      expect(run.stderr.split('\n'), `${what}: one line`).toHaveLength(2);
      expect(findLeaks(run.all, key), what).toEqual([]);
      expect(run.all, what).not.toContain(token.slice(4, 16));
    });
  });

  it('usage errors and URL errors show no query and no key', async () => {
    const [query, unknown] = await Promise.all([
      runCli(['--registry-url', `https://registry.example/?token=${token}`], { env: { HOKUSAI_API_KEY: key } }),
      runCli(['--no-such-flag', '--registry-url', `x?token=${token}`], { env: { HOKUSAI_API_KEY: key } }),
    ]);
    expect(query.code).toBe(2);
    expect(query.stderr).toMatch(/"https:\/\/registry\.example\/" must be a base URL, without "\?query" or "#fragment" \(not shown/);
    expect(unknown.code).toBe(2);
    for (const run of [query, unknown]) expect(run.all).not.toContain(token.slice(4, 16));
  });

  it('a key on stdin past 4 KiB is refused (exit 2)', async () => {
    const run = await runCli(['--api-key-stdin', '--registry-url', 'http://127.0.0.1:9'], { input: `${key}${'x'.repeat(6000)}` });
    expect(run.code).toBe(2);
    expect(run.stderr).toBe('hokus-check: --api-key-stdin: more than 4096 bytes on stdin; that is not an API key (stopped reading)\n');
    expect(findLeaks(run.all, key)).toEqual([]);
  });
});
