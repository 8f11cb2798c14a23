// Redirects are never followed: a 307 is evidence, and following it could carry the key to another
// host. The "elsewhere" server must see nothing, and the report must name where it pointed.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateTestKey } from '../../src/sim/stack.js';
import { runInProcess } from '../helpers/in-process.js';
import { readReport } from '../helpers/report.js';
import { findLeaks } from '../helpers/safety-leak.js';
import { serveHttp, type TestServer } from '../helpers/safety-servers.js';
import { tempDir } from '../helpers/tmp.js';

const tmp = tempDir();
afterAll(() => tmp.remove());

describe('a registry and auth service that answer 307 on every path', () => {
  let elsewhere: TestServer;
  let redirector: TestServer;
  beforeAll(async () => {
    elsewhere = await serveHttp((_req, res) => void res.end('{}'));
    redirector = await serveHttp((req, res) => {
      req.resume();
      res.writeHead(307, { location: `${elsewhere.url}/stolen${req.url ?? '/'}`, 'content-type': 'text/plain' });
      res.end('Temporary Redirect');
    });
  });
  afterAll(async () => {
    await redirector.close();
    await elsewhere.close();
  });

  it('sends nothing to the Location, fails with the Location in the evidence, and leaks no key', async () => {
    const key = generateTestKey();
    const json = tmp.file('redirect.json');
    const har = tmp.file('redirect.har');
    const run = await runInProcess(
      ['--registry-url', redirector.url, '--auth-url', redirector.url, '--retries', '0', '--json', json, '--har', har],
      {
        env: { HOKUSAI_API_KEY: key },
      },
    );

    expect(elsewhere.received, 'the redirect target was contacted').toEqual([]);
    expect(redirector.received.length).toBeGreaterThan(0);
    expect(run.code, run.all).toBe(1);

    const report = readReport(json);
    const steps = report.targets[0]!.steps;
    // Every step that sent a request saw the 307 and did not pass.
    const auth = steps.find((s) => s.id === 'auth')!;
    expect(auth.status).toBe('fail');
    const location = new RegExp(`${elsewhere.url.replace(/[.:/]/g, '\\$&')}/stolen`);
    // The Location is cited: in a finding's evidence or text, and in the recorded exchange's headers.
    const target = report.targets[0]!;
    const redirected = target.exchanges.find((x) => x.response?.status === 307);
    expect(redirected?.response?.headers.find(([name]) => name === 'location')?.[1]).toMatch(location);
    // The finding's evidence, as the terminal prints it, says where the redirect pointed.
    expect(target.findings.length).toBeGreaterThan(0);
    expect(run.stdout).toMatch(new RegExp(`307 text/plain, redirect to ${location.source}\\S* \\(not followed\\)`));
    expect(findLeaks(run.all, key)).toEqual([]);
  });
});
