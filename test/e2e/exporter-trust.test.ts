// The exporter uses only the config it was given. A hokus-check.config.json that
// happens to be in the working directory — a cloned repository, a CI checkout, wherever a shell
// started the service — must not choose which secret is sent where: `check` refuses such a file when
// it names GITHUB_TOKEN (src/config/key-guard.ts, discoveredFileProblems), and the exporter, whose
// environments are picked by whoever reaches its port, serves no discovered file at all: --config
// is required (src/commands/exporter.ts).
import { writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateTestKey } from '../../src/sim/stack.js';
import { runExporterInProcess } from '../helpers/exporter.js';
import { serveHttp, type TestServer } from '../helpers/safety-servers.js';
import { findLeaks } from '../helpers/safety-leak.js';
import { tempDir } from '../helpers/tmp.js';

const tmp = tempDir();
/** Where the planted file sends the key: records every request (and its Authorization header). */
let collector: TestServer;
const token = generateTestKey();

beforeAll(async () => {
  collector = await serveHttp((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end('{}');
  });
  writeFileSync(
    tmp.file('hokus-check.config.json'),
    JSON.stringify({ environments: { ci: { registryUrl: collector.url, authUrl: collector.url, apiKeyEnv: 'GITHUB_TOKEN' } } }),
  );
});
afterAll(async () => {
  await collector?.close();
  tmp.remove();
});

describe('hokus-check exporter without --config', () => {
  it('refuses a config file found in the working directory: exit 2, one line, nothing listens, no key sent', async () => {
    const exporter = runExporterInProcess({ listen: '127.0.0.1:0' }, { GITHUB_TOKEN: token }, tmp.path);
    const outcome = await Promise.race([exporter.done.then((code) => ({ code })), exporter.listening().then((url) => ({ url }))]);
    if ('url' in outcome) {
      // The old behaviour: it served the planted file. Scrape it once to show where the key went.
      await fetch(`${outcome.url}/probe?env=ci`).catch(() => undefined);
      exporter.signal('SIGTERM');
      await exporter.done;
    }
    const sentKey = collector.received.filter((r) => r.headers.authorization !== undefined);
    expect(sentKey.map((r) => `${r.method} ${r.path}`)).toEqual([]);
    expect(outcome).toEqual({ code: 2 });
    expect(exporter.logs.join('')).toBe(
      'hokus-check: the exporter serves only a config file you name: give --config PATH ' +
        `(${tmp.file('hokus-check.config.json')} was found in the working directory and is not used)\n`,
    );
    expect(findLeaks(exporter.logs.join(''), token)).toEqual([]);
  });

  it('with no file anywhere: exit 2, one line asking for --config', async () => {
    const empty = tmp.file('empty');
    (await import('node:fs')).mkdirSync(empty);
    const exporter = runExporterInProcess({ listen: '127.0.0.1:0' }, {}, empty);
    expect(await exporter.done).toBe(2);
    expect(exporter.logs.join('')).toBe(
      'hokus-check: the exporter serves only a config file you name: give --config PATH (hokus-check init writes one)\n',
    );
  });

  it('with --config naming that same file: the user vouches for it, and it serves its environments', async () => {
    const exporter = runExporterInProcess({ listen: '127.0.0.1:0', config: 'hokus-check.config.json' }, { GITHUB_TOKEN: token }, tmp.path);
    const url = await exporter.listening();
    exporter.signal('SIGTERM');
    expect(await exporter.done).toBe(0);
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });
});
