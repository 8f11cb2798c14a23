// What a user typed is checked before anything is sent, typos get a "did you mean", and `sim` can be
// pinned to ports and a key and logs what it serves. In-process through the real argv parsing, but
// for `sim`, which is a long-running binary and is spawned.
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN } from '../helpers/cli.js';
import { runInProcess } from '../helpers/in-process.js';
import { refusingUrl } from '../helpers/ports.js';
import { tempDir } from '../helpers/tmp.js';

const tmp = tempDir();
const KEY = `hk_test_${'typed'.repeat(6)}`;
let server: Server;
let url: string;
let requests = 0;

beforeAll(async () => {
  server = createServer((_req, res) => {
    requests++;
    res.end('{}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  mkdirSync(tmp.file('a-dir'));
  writeFileSync(tmp.file('not-pem.crt'), 'hello\n');
});
afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  tmp.remove();
});

const run = (args: string[]) => runInProcess(args, { env: { HOKUSAI_API_KEY: KEY }, cwd: tmp.path });

describe('everything typed is checked before the first request', () => {
  it.each([
    ['a directory for --json', ['--json', 'a-dir'], /^hokus-check: --json a-dir: is a directory; give a file name$/],
    [
      'a parent that is a file',
      ['--junit', 'not-pem.crt/junit.xml'],
      /^hokus-check: --junit not-pem\.crt\/junit\.xml: .*not-pem\.crt is a file, not a directory$/,
    ],
    ['a second format to stdout', ['--markdown', '-'], /^hokus-check: --markdown -: only --json can go to stdout/],
    ['two formats to one file', ['--json', 'out', '--har', 'out'], /^hokus-check: --har out: the same file as --json/],
    ['the same output flag twice', ['--junit', 'a.xml', '--junit', 'b.xml'], /given twice \(a\.xml and b\.xml\); give it once/],
    ['a CA file that is not PEM', ['--ca-file', 'not-pem.crt'], /^hokus-check: --ca-file .*not-pem\.crt: not a PEM certificate file/],
  ])('%s: exit 2, one line, nothing sent', async (_name, extra, message) => {
    const before = requests;
    const r = await run(['--registry-url', url, ...extra]);
    expect(r.code).toBe(2);
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(r.stderr.trimEnd()).toMatch(message);
    expect(requests).toBe(before);
  });

  it('a registry URL that already ends in the MLflow mount: exit 2, naming the base to give', async () => {
    const before = requests;
    const r = await run(['--registry-url', `${url}/api/mlflow/`]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`already ends in the MLflow mount /api/mlflow; give the API service's base (${url})`);
    expect(requests).toBe(before);
  });
});

describe('did you mean', () => {
  it.each([
    [['dmeo'], "hokus-check: unknown command 'dmeo'; did you mean 'demo'?"],
    [['demo', '--fault', 'artifact-misrouted'], 'unknown fault "artifact-misrouted"; did you mean "artifacts-misrouted"?'],
    [['explain', 'ROUTE_ARTIFACT_MISROUTED'], 'unknown code "ROUTE_ARTIFACT_MISROUTED"; did you mean ROUTE_ARTIFACTS_MISROUTED?'],
  ])('%j', async (args, said) => {
    const r = await run(args);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(said);
  });

  it('the top-level help lists the check flags', async () => {
    const r = await run(['--help']);
    expect(r.code).toBe(0);
    for (const flag of ['--registry-url <url>', '--strict', '--quiet', '--json <file>', '--only <steps>']) expect(r.stdout).toContain(flag);
  });
});

describe('sim', () => {
  it('serves on the ports and key it is given, prints the command as this CLI was started, logs each request', async () => {
    const [authUrl, mlflowUrl] = [await refusingUrl(), await refusingUrl()];
    const authPort = new URL(authUrl).port;
    const mlflowPort = new URL(mlflowUrl).port;
    const simKey = `hk_test_${'sim'.repeat(8)}`;
    const child = spawn(process.execPath, [BIN, 'sim', '--auth-port', authPort, '--mlflow-port', mlflowPort, '--key', simKey], {
      stdio: ['ignore', 'pipe', 'pipe'],
      cwd: tmp.path,
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    try {
      await until(() => out.includes('Requests ('));
      expect(out).toContain(`auth service             ${authUrl}`);
      expect(out).toContain(`mlflow (direct)          ${mlflowUrl}`);
      expect(out).toContain(`export HOKUSAI_API_KEY=${simKey}`);
      expect(out).toMatch(/^ {2}node \/.*bin\/hokus-check\.js --registry-url http:\/\/127\.0\.0\.1:\d+ --auth-url /m);
      const registry = /registry \(API service\) {3}(\S+)/.exec(out)![1]!;
      const check = await runInProcess(['--registry-url', registry, '--auth-url', authUrl, '--only', 'experiments'], {
        env: { HOKUSAI_API_KEY: simKey },
        cwd: tmp.path,
      });
      expect(check.code).toBe(0);
      await until(() => /api +GET \/api\/mlflow\/api\/2\.0\/mlflow\/experiments\/search\?max_results=1 -> 200/.test(out));
      expect(out).toMatch(/auth +POST \/api\/v1\/keys\/validate -> 200/);
    } finally {
      child.kill('SIGINT');
    }
    expect(await exited).toBe(0);
  });
});

/** Polls a condition every 20 ms; a hang guard, not a speed limit. */
async function until(ok: () => boolean, tries = 1500): Promise<void> {
  for (let i = 0; i < tries && !ok(); i++) await new Promise((r) => setTimeout(r, 20));
  if (!ok()) throw new Error('condition not met');
}
