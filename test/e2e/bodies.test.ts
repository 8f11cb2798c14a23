// Bodies as the rules need them: an MLflow error longer than the excerpt people see is still read
// whole by the diagnosis (up to the read cap), while the outputs keep the excerpt short. Real
// loopback servers: the embedded stack behind a front that answers runs/create itself.
import { describe, expect, it } from 'vitest';
import { fileStack } from '../helpers/file-stack.js';
import { parseReport } from '../helpers/report.js';
import { runCheckInProcess } from '../helpers/safety-inprocess.js';
import { startFront } from '../helpers/stall-front.js';

const files = fileStack();
const tmp = files.tmp;

/** MLflow 2.x's 500 for a locked sqlite store, with SQLAlchemy's [parameters: …] making it ~2.5 KB. */
function lockedStoreError(): string {
  const params = Array.from({ length: 40 }, (_, i) => `'mlflow.source.tag.${i}', 'value-${'v'.repeat(24)}-${i}', '0f3c2a9b8e7d4c1f'`).join(
    ', ',
  );
  const message =
    '(sqlite3.OperationalError) database is locked\n[SQL: INSERT INTO tags (key, value, run_uuid) VALUES (?, ?, ?)]\n' +
    `[parameters: (${params})]\n(Background on this error at: https://sqlalche.me/e/14/e3q8)`;
  return JSON.stringify({ error_code: 'INTERNAL_ERROR', message });
}

/** MLflow's 400 for an over-long tag value: the message quotes the value, ~2.5 KB. */
function longTagError(): string {
  const value = 'x'.repeat(2400);
  return JSON.stringify({
    error_code: 'INVALID_PARAMETER_VALUE',
    message: `Tag value '${value}' had length 2400, which exceeded length limit of 2000`,
  });
}

/** A check through a front that answers runs/create itself with `status` and `body` (MLflow's headers). */
async function checkWithRunsCreateAnswer(status: number, body: string) {
  const front = await startFront(files.stack.registryUrl, (method, path) =>
    method === 'POST' && path.endsWith('/runs/create')
      ? { kind: 'answer', status, headers: { server: 'gunicorn', connection: 'close', 'content-type': 'application/json' }, body }
      : { kind: 'forward' },
  );
  try {
    const run = await runCheckInProcess({
      flags: { registryUrl: front.url, authUrl: files.stack.authUrl, timeout: '5s', retries: '0' },
      outputs: { json: '-' },
      key: files.stack.apiKey,
      cwd: tmp.path,
    });
    return { run, target: parseReport(run.out).targets[0]! };
  } finally {
    await front.close();
  }
}

describe('an MLflow error longer than the excerpt', () => {
  it('a 400 with a 2.5 KB message is read as MLflow JSON error, not RESPONSE_NOT_JSON', async () => {
    const body = longTagError();
    const { run, target } = await checkWithRunsCreateAnswer(400, body);
    expect(run.code, run.err).toBe(1);
    const codes = target.findings.map((f) => f.code);
    // Read from the excerpt alone (2,048 characters) this was RESPONSE_NOT_JSON.
    expect(codes).not.toContain('RESPONSE_NOT_JSON');
    const root = target.findings.find((f) => f.rootCause)!;
    expect(root.code, codes.join(', ')).toBe('UNEXPECTED_RESPONSE');
    expect(root.cause).toMatch(/^runs\/create \(x\d+\) got 400 INVALID_PARAMETER_VALUE: Tag value 'x+… from MLflow\.$/);
  });

  it('a 500 naming the locked store is MLFLOW_BACKEND_ERROR, and the outputs keep only the short excerpt', async () => {
    const body = lockedStoreError();
    expect(body.length).toBeGreaterThan(2500);
    const { run, target } = await checkWithRunsCreateAnswer(500, body);
    expect(run.code, run.err).toBe(1);
    const codes = target.findings.map((f) => f.code);
    expect(codes).not.toContain('RESPONSE_NOT_JSON');
    const root = target.findings.find((f) => f.rootCause)!;
    expect(root.code, codes.join(', ')).toBe('MLFLOW_BACKEND_ERROR');
    expect(root.cause).toMatch(/database is locked/);
    // The excerpt people see stays short; the report does not carry the whole body.
    const create = target.exchanges.find((x) => x.label === 'runs/create')!;
    expect(create.response?.bodyExcerpt).toHaveLength(2048);
    expect(create.response?.bodySize).toBe(Buffer.byteLength(body));
    expect(run.out).not.toContain(body.slice(2100, 2200));
  });
});
