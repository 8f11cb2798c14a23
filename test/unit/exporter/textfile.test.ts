// `--prometheus FILE` through the output writer (src/report/write.ts): the exposition, written by
// temp file + rename so node_exporter's textfile collector never reads half a file.
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { renderPrometheus } from '../../../src/report/prometheus.js';
import { writeOutputs } from '../../../src/report/write.js';
import { tempDir } from '../../helpers/tmp.js';
import { fixtureReport } from '../report/fixture.js';

const tmp = tempDir();
afterAll(() => tmp.remove());

describe('writeOutputs({ prometheus })', () => {
  it('replaces the file whole and leaves no temp file beside it', async () => {
    const dir = tmp.file('textfile');
    mkdirSync(dir);
    const file = `${dir}/hokus-check.prom`;
    writeFileSync(file, 'old content\n');
    const written = await writeOutputs(fixtureReport(), { prometheus: file }, { stdout: () => undefined });
    expect(written).toEqual([file]);
    expect(readFileSync(file, 'utf8')).toBe(renderPrometheus(fixtureReport()));
    expect(readdirSync(dir)).toEqual(['hokus-check.prom']);
  });

  it('a target that cannot be replaced: one-line error naming it, and the temp file removed', async () => {
    const dir = tmp.file('blocked');
    mkdirSync(`${dir}/hokus-check.prom`, { recursive: true }); // a directory where the file should go
    await expect(writeOutputs(fixtureReport(), { prometheus: `${dir}/hokus-check.prom` }, { stdout: () => undefined })).rejects.toThrow(
      new RegExp(`^cannot write the Prometheus metrics to ${dir.replace(/[/.]/g, '\\$&')}/hokus-check\\.prom: E[A-Z]+`),
    );
    expect(readdirSync(dir)).toEqual(['hokus-check.prom']);
  });

  it("'-' writes the exposition to stdout", async () => {
    let out = '';
    await writeOutputs(fixtureReport(), { prometheus: '-' }, { stdout: (s) => (out += s) });
    expect(out).toBe(renderPrometheus(fixtureReport()));
  });
});
