// Streamed artifacts (--artifact-size): a large one goes through the proxy and back with its sha256
// checked; a byte flipped on the way back and a body limit in front of the registry are named.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startStack } from '../../src/sim/stack.js';
import { stackArgs } from '../helpers/cli.js';
import { runInProcess } from '../helpers/in-process.js';
import { readReport, stepOf } from '../helpers/report.js';
import { tempDir } from '../helpers/tmp.js';

const MiB = 1024 * 1024;
const tmp = tempDir();
afterAll(() => tmp.remove());

describe('a 16 MiB streamed artifact (16 times the body cap)', () => {
  it('round-trips through the proxy and passes, and the sha256 it reports is that of the bytes stored', async () => {
    const artifactDir = join(tmp.path, 'store');
    const stack = await startStack({ artifactDir });
    try {
      const json = tmp.file('stream-16.json');
      // --keep leaves the file in the store, so its bytes can be hashed here independently.
      const run = await runInProcess([...stackArgs(stack), '--artifact-size', '16MiB', '--keep', '--timeout', '60s', '--json', json], {
        env: { HOKUSAI_API_KEY: stack.apiKey },
      });
      expect(run.code, run.all).toBe(0);
      const report = readReport(json);
      const step = stepOf(report, 'artifact');
      expect(step.status).toBe('pass');
      const reported = /16\.0 MiB round-trip, sha256 ([0-9a-f]{12})… matches/.exec(step.detail)?.[1];
      expect(reported, step.detail).toBeDefined();

      const exchanges = report.targets[0]!.exchanges;
      const put = exchanges.find((x) => x.label === 'PUT artifact');
      const get = exchanges.find((x) => x.label === 'GET artifact');
      expect(put?.request.bodySize).toBe(16 * MiB);
      expect(put?.response?.status).toBe(200);
      expect(get?.response?.bodySize).toBe(16 * MiB);

      const stored = stack.inventory().artifactFiles.filter((f) => f.endsWith('.bin'));
      expect(stored).toHaveLength(1);
      const onDisk = await sha256File(join(artifactDir, stored[0]!));
      expect(onDisk.bytes).toBe(16 * MiB);
      expect(onDisk.hex.slice(0, 12)).toBe(reported);
      // Through the API service's proxy, as a user's upload goes.
      expect(
        stack.requests().some((r) => r.server === 'api' && r.method === 'PUT' && r.path.includes('/api/mlflow/api/2.0/mlflow-artifacts/')),
      ).toBe(true);
    } finally {
      await stack.close();
    }
  });
});

describe('a byte flipped mid-stream on the way back (artifact-corrupted)', () => {
  it('fails the artifact step with a sha256 mismatch at the same length, diagnosed ARTIFACT_CORRUPTED', async () => {
    const stack = await startStack({ faults: ['artifact-corrupted'] });
    try {
      const json = tmp.file('corrupted.json');
      const run = await runInProcess([...stackArgs(stack), '--artifact-size', '4MiB', '--json', json], {
        env: { HOKUSAI_API_KEY: stack.apiKey },
      });
      expect(run.code, run.all).toBe(1);
      const report = readReport(json);
      const step = stepOf(report, 'artifact');
      expect(step.status).toBe('fail');
      expect(step.detail).toMatch(/sha256 mismatch: sent 4\.0 MiB [0-9a-f]{12}…, read back 4\.0 MiB [0-9a-f]{12}…/);
      const get = report.targets[0]!.exchanges.find((x) => x.label === 'GET artifact');
      expect(get?.response?.status).toBe(200);
      expect(get?.response?.bodySize).toBe(4 * MiB);
      const finding = report.targets[0]!.findings.find((f) => f.code === 'ARTIFACT_CORRUPTED');
      expect(finding, JSON.stringify(report.targets[0]!.findings)).toMatchObject({ step: 'artifact', rootCause: true });
      expect(finding!.evidence).toContain(get!.id);
      expect(run.stdout).toContain('ARTIFACT_CORRUPTED');
      // The hops before it work: the artifact hop is the one blamed.
      expect(stepOf(report, 'run').status).toBe('pass');
      expect(step.rootCause).toBe(true);
    } finally {
      await stack.close();
    }
  });
});

describe('a body limit in front of the registry (body-too-large)', () => {
  it('fails the artifact step on the 413 and names it ARTIFACT_TOO_LARGE, citing the refused PUT', async () => {
    const stack = await startStack({ faults: ['body-too-large'], maxBodyBytes: MiB });
    try {
      const json = tmp.file('too-large.json');
      const run = await runInProcess([...stackArgs(stack), '--artifact-size', '4MiB', '--json', json], {
        env: { HOKUSAI_API_KEY: stack.apiKey },
      });
      expect(run.code, run.all).toBe(1);
      const report = readReport(json);
      expect(stepOf(report, 'artifact').status).toBe('fail');
      const put = report.targets[0]!.exchanges.find((x) => x.label === 'PUT artifact');
      expect(put?.response?.status).toBe(413);
      const finding = report.targets[0]!.findings.find((f) => f.code === 'ARTIFACT_TOO_LARGE');
      expect(finding, JSON.stringify(report.targets[0]!.findings)).toMatchObject({ step: 'artifact' });
      // The size is what went out before the 413 came back: up to the 4.0 MiB the check meant to send.
      expect(finding!.cause).toMatch(/upload of [0-4]\.\d MiB was refused .*413/);
      expect(finding!.evidence).toContain(put!.id);
      expect(run.stdout).toContain('ARTIFACT_TOO_LARGE');
      // Nothing was stored, and no GET of an artifact that was never written.
      expect(stack.inventory().artifactFiles.filter((f) => f.endsWith('.bin'))).toEqual([]);
      expect(report.targets[0]!.exchanges.some((x) => x.label === 'GET artifact')).toBe(false);
    } finally {
      await stack.close();
    }
  });
});

async function sha256File(path: string): Promise<{ hex: string; bytes: number }> {
  const hash = createHash('sha256');
  let bytes = 0;
  for await (const chunk of createReadStream(path)) {
    hash.update(chunk as Buffer);
    bytes += (chunk as Buffer).length;
  }
  return { hex: hash.digest('hex'), bytes };
}
