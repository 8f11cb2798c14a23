import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { renderHar } from '../../../src/report/har.js';
import { renderJson } from '../../../src/report/json.js';
import { renderJunit } from '../../../src/report/junit.js';
import { renderMarkdown } from '../../../src/report/markdown.js';
import { writeOutputs } from '../../../src/report/write.js';
import { fixtureReport } from './fixture.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'hokus-report-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('writeOutputs', () => {
  it('writes each requested format, creating parent directories, and lists the files', async () => {
    const report = fixtureReport();
    const paths = {
      json: join(dir, 'a/b/report.json'),
      junit: join(dir, 'junit/junit.xml'),
      markdown: join(dir, 'report.md'),
      har: join(dir, 'deep/er/incident.har'),
    };
    const out: string[] = [];
    const written = await writeOutputs(report, paths, { stdout: (s) => out.push(s) });
    expect(written).toEqual([paths.json, paths.junit, paths.markdown, paths.har]);
    expect(await readFile(paths.json, 'utf8')).toBe(renderJson(report));
    expect(await readFile(paths.junit, 'utf8')).toBe(renderJunit(report));
    expect(await readFile(paths.markdown, 'utf8')).toBe(renderMarkdown(report));
    expect(await readFile(paths.har, 'utf8')).toBe(renderHar(report));
    expect(out).toEqual([]);
  });

  it("sends '-' to stdout and does not list it as a file", async () => {
    const report = fixtureReport();
    const out: string[] = [];
    const written = await writeOutputs(report, { json: '-' }, { stdout: (s) => out.push(s) });
    expect(written).toEqual([]);
    expect(out).toEqual([renderJson(report)]);
  });

  it("appends the Markdown report to GitHub's step summary, keeping what is there", async () => {
    const report = fixtureReport();
    const summary = join(dir, 'step_summary.md');
    await writeFile(summary, '## Earlier step\n');
    expect(await writeOutputs(report, { githubSummaryPath: summary }, { stdout: () => {} })).toEqual([summary]);
    await writeOutputs(report, { githubSummaryPath: summary }, { stdout: () => {} });
    const md = renderMarkdown(report);
    expect(await readFile(summary, 'utf8')).toBe(`## Earlier step\n\n${md}\n${md}`);
  });

  it('fails with one line naming the path it could not write', async () => {
    const blocker = join(dir, 'file');
    await writeFile(blocker, 'x');
    const target = join(blocker, 'junit.xml');
    const err = await writeOutputs(fixtureReport(), { junit: target }, { stdout: () => {} }).catch((e: Error) => e);
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toMatch(new RegExp(`^cannot write the JUnit report to ${target.replace(/[/.]/g, '\\$&')}: E[A-Z]+`));
    expect((err as Error).message).not.toContain('\n');
  });
});
