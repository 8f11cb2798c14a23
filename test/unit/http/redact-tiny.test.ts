// A secret of 1, 2 or 3 characters (a placeholder `x` left in a CI variable) must not hang the
// redactor: one base64 window of a 1-byte secret is empty, and a loop over the matches of an empty
// window never advanced (it spun, filling the heap). Run in a worker with a small heap and a hang
// guard: a spinning redactor in the test's own thread could not be stopped.
import { describe, expect, it } from 'vitest';
import { callInWorker } from '../../helpers/in-worker.js';

interface Redacted {
  out: string;
  bulkLength: number;
  again: string;
}

const call = (secret: string, text: string) =>
  callInWorker<Redacted>(
    'src/http/redact.ts',
    `(mod, secret, text) => {
      const redact = mod.createRedactor([secret]);
      const out = redact(text);
      const bulk = redact(('lorem ipsum %20 &amp; \\\\u0041 ' + secret + ' YWJj eA== ').repeat(2000));
      return { out, bulkLength: bulk.length, again: redact(out) };
    }`,
    [secret, text],
  );

describe('a tiny secret', () => {
  it.each([['x'], ['ab'], ['k9Z']])('%j: the redactor returns, masks the secret, and keeps the rest', async (secret) => {
    const text = `before ${secret} after, "${secret.toUpperCase()}" ${Buffer.from(secret).toString('base64')} end`;
    const outcome = await call(secret, text);
    expect(outcome.ok, outcome.ok ? '' : `the redactor did not return: ${outcome.reason}`).toBe(true);
    const { out, bulkLength } = (outcome as { value: Redacted }).value;
    expect(out.startsWith('before ')).toBe(true);
    expect(out).not.toContain(` ${secret} `);
    expect(out.endsWith(' end')).toBe(true);
    expect(bulkLength).toBeGreaterThan(0);
  });

  it('an empty secret is no secret: the text comes back as it was', async () => {
    const outcome = await call('', 'nothing to hide here');
    expect(outcome).toEqual({
      ok: true,
      value: { out: 'nothing to hide here', bulkLength: expect.any(Number) as unknown, again: 'nothing to hide here' },
    });
  });
});
