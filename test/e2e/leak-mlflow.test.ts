// MLflow's credentials are secrets exactly like the API key: a plain MLflow server that echoes
// MLFLOW_TRACKING_TOKEN or MLFLOW_TRACKING_PASSWORD back — the Authorization header in a header of its
// own, base64(user:password), the secret in a body in every form a careless or hostile server might
// write it (safety-leak.ts echoForms) — leaves no trace of it in any output: terminal, --verbose, JSON,
// JUnit, Markdown, HAR, the GitHub step summary. The same for a usage error that quotes it.
import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { everyOutput } from '../helpers/every-output.js';
import { runInProcess } from '../helpers/in-process.js';
import { respond, startHostileDeployment, type Answer } from '../helpers/safety-hostile.js';
import { echoForms, findLeaks } from '../helpers/safety-leak.js';
import { tempDir } from '../helpers/tmp.js';

const tmp = tempDir();
afterAll(() => tmp.remove());

/** The secret the request carried: the Bearer token, or the password of a Basic login. */
function sentSecret(value: string): string {
  const bearer = /^Bearer (.*)$/.exec(value)?.[1];
  if (bearer !== undefined) return bearer;
  const basic = /^Basic (.*)$/.exec(value)?.[1];
  if (basic === undefined) return '';
  const pair = Buffer.from(basic, 'base64').toString('utf8');
  return pair.slice(pair.indexOf(':') + 1);
}

/** Echoes the request's Authorization back in headers and, in every form of its secret, in the body. */
const echoEverything: Answer = (socket, req) => {
  const auth = req.headers.authorization ?? '';
  const secret = sentSecret(auth);
  const body = JSON.stringify({
    detail: `you sent ${auth}`,
    forms: echoForms(secret).map(([form, text]) => `${form}: ${text}`),
    user_password: Buffer.from(`alice:${secret}`).toString('base64'),
  });
  void respond(
    401,
    {
      'content-type': 'application/json',
      'x-echo-authorization': auth,
      'www-authenticate': `Basic ${Buffer.from(`alice:${secret}`).toString('base64')}`,
      'set-cookie': `${Buffer.from(secret).toString('base64')}=1; Path=/`,
    },
    body,
  )(socket, req);
};

const CREDENTIALS: Array<[string, (secret: string) => Record<string, string>, (secret: string, seen: string) => boolean]> = [
  ['MLFLOW_TRACKING_TOKEN (Bearer)', (secret) => ({ MLFLOW_TRACKING_TOKEN: secret }), (secret, seen) => seen === `Bearer ${secret}`],
  [
    'MLFLOW_TRACKING_PASSWORD (Basic)',
    (secret) => ({ MLFLOW_TRACKING_USERNAME: 'alice', MLFLOW_TRACKING_PASSWORD: secret }),
    (secret, seen) => seen === `Basic ${Buffer.from(`alice:${secret}`).toString('base64')}`,
  ],
];

describe.concurrent('a plain MLflow server that echoes the credentials back', () => {
  for (const [what, env, sent] of CREDENTIALS) {
    it(`${what}: every output is clean`, async () => {
      const server = await startHostileDeployment(echoEverything, (r) => r.path !== '/health');
      try {
        const secret = `pw-${randomBytes(14).toString('hex')}`;
        const every = everyOutput((ext) => tmp.file(`mlflow-echo-${what.slice(0, 12).replace(/\W+/g, '-')}.${ext}`));
        const run = await runInProcess(['--retries', '0', '--timeout', '2s', ...every.args], {
          env: { MLFLOW_TRACKING_URI: server.url, ...every.env, ...env(secret) },
        });
        expect(run.code, run.all).toBe(1);
        const written = every.read();
        // The server did get the secret, and did echo it (the HAR holds its echo header, masked).
        expect(server.received.some((r) => sent(secret, String(r.headers.authorization)))).toBe(true);
        expect(written.har).toMatch(/x-echo-authorization/);
        expect(findLeaks([run.all, ...Object.values(written)].join('\n'), secret)).toEqual([]);
      } finally {
        await server.close();
      }
    });
  }
});

describe('a usage error never echoes MLflow secrets', () => {
  it('the password pasted into MLFLOW_TRACKING_URI is not shown', async () => {
    const secret = `pw-${randomBytes(14).toString('hex')}`;
    const run = await runInProcess([], {
      env: {
        MLFLOW_TRACKING_URI: `http://alice:${secret}@127.0.0.1:9`,
        MLFLOW_TRACKING_USERNAME: 'alice',
        MLFLOW_TRACKING_PASSWORD: secret,
      },
    });
    expect(run.code, run.all).toBe(2);
    expect(run.stderr).toMatch(/MLFLOW_TRACKING_URI: must not contain credentials .*MLFLOW_TRACKING_USERNAME and MLFLOW_TRACKING_PASSWORD/);
    expect(findLeaks(run.all, secret)).toEqual([]);
  });

  it('the token given as an argument is refused without echoing it', async () => {
    const secret = `tok-${randomBytes(14).toString('hex')}`;
    const run = await runInProcess(['--mlflow-url', `http://127.0.0.1:9/${secret}`], { env: { MLFLOW_TRACKING_TOKEN: secret } });
    expect(run.code, run.all).toBe(2);
    expect(run.stderr).toMatch(/an argument holds an API key \(not shown\)/);
    expect(findLeaks(run.all, secret)).toEqual([]);
  });

  it('a password shorter than 8 characters is refused by its length, never its value', async () => {
    const run = await runInProcess([], {
      env: { MLFLOW_TRACKING_URI: 'http://127.0.0.1:9', MLFLOW_TRACKING_USERNAME: 'alice', MLFLOW_TRACKING_PASSWORD: 'x7Qp' },
    });
    expect(run.code, run.all).toBe(2);
    expect(run.stderr).toMatch(/the password in MLFLOW_TRACKING_PASSWORD is 4 characters/);
    expect(run.all).not.toContain('x7Qp');
  });
});
