import { describe, expect, it } from 'vitest';
import { renderMarkdown } from '../../../src/report/markdown.js';
import { RAW_KEY, fixtureReport, incidentReport } from './fixture.js';

/** Cells of a GFM table row, splitting on unescaped pipes only. */
function cells(row: string): string[] {
  return row
    .slice(1, -1)
    .split(/(?<!\\)\|/)
    .map((c) => c.trim());
}

describe('Markdown report', () => {
  it('is titled with the verdict and the targets, and says who ran what, when', () => {
    const md = renderMarkdown(incidentReport());
    expect(md.split('\n')[0]).toBe('# hokus-check: FAIL — prod');
    expect(md).toContain('| Tool | hokus-check 0.1.0 |');
    expect(md).toContain('| Date | 2026-03-14 09:26:53 UTC |');
    expect(md).toContain('| Check id | `deadbeef` |');
    expect(md).toContain(`key \`hk_test_…${RAW_KEY.slice(-4)}\``);
    expect(md).not.toContain(RAW_KEY);
  });

  it('has the matrix as a table with the root cause and the blocked step', () => {
    const md = renderMarkdown(fixtureReport());
    const lines = md.split('\n');
    const head = lines.indexOf('| Step | staging | prod |');
    expect(head).toBeGreaterThan(0);
    expect(lines[head + 1]).toBe('|---|---|---|');
    const rows = lines.slice(head + 2, head + 9).map(cells);
    expect(rows.map((r) => r[0])).toEqual(['auth', 'health', 'experiments', 'run', 'artifact', 'register', 'cleanup']);
    expect(rows[4]).toEqual(['artifact', '✔ pass 104ms', '✖ **fail** 404ms ← root cause']);
    expect(rows[5]).toEqual(['register', '✔ pass 38ms', '● blocked (by artifact)']);
    for (const r of rows) expect(r).toHaveLength(3);
  });

  it('explains the root cause with its evidence and its fix, then the other findings, timings and leftovers', () => {
    const md = renderMarkdown(incidentReport());
    const order = [
      '## Matrix',
      '## Root cause',
      '### `ROUTE_ARTIFACTS_MISROUTED`',
      '**Evidence**',
      '**Fix**',
      '1. Rewrite api/2.0',
      '**Reproduce**',
      '```sh\ncurl -sS -i -X PUT',
      '**Confirm the fix**',
      '```sh\nhokus-check --env prod --only artifact\n```',
      '## Other findings',
      '### `HEALTH_DEGRADED`',
      '## Timings',
      'Slowest exchanges:',
      '## Leftovers',
    ];
    const at = order.map((h) => md.indexOf(h));
    expect(at.every((i) => i >= 0)).toBe(true);
    expect([...at].sort((a, b) => a - b)).toEqual(at);
    const x8 = md.split('\n').find((l) => l.startsWith('| x8 |'))!;
    expect(cells(x8)).toEqual([
      'x8',
      '`PUT https://registry.example.test/api/mlflow/api/2.0/mlflow-artifacts/artifacts/1/9f8e7d6c5b4a/artifacts/hokus-check/probe-deadbeef.bin`',
      '404 `text/html`',
      'hokusai-api → mlflow',
      expect.stringMatching(/^`<!doctype html> <html lang=en> <title>404 Not Found<\/title>.*…`$/),
    ]);
    expect(md).toContain('1. Rewrite api/2.0/mlflow-artifacts/ to ajax-api/2.0/mlflow-artifacts/');
    expect(md).toContain('Run `hokus-check explain ROUTE_ARTIFACTS_MISROUTED` for details.');
  });

  it('escapes pipes in table cells and HTML outside code spans', () => {
    const report = incidentReport();
    report.targets[0]!.steps[0]!.detail = 'a | b <script>';
    report.targets[0]!.exchanges[2]!.response!.bodyExcerpt = '{"status":"a|b"}';
    const md = renderMarkdown(report);
    const auth = md.split('\n').find((l) => l.startsWith('| auth |'))!;
    expect(auth).toBe('| auth | ✔ pass 52ms | a \\| b \\<script\\> |');
    expect(cells(auth)).toHaveLength(3);
    const x3 = md.split('\n').find((l) => l.startsWith('| x3 |'))!;
    expect(x3).toContain('`{"status":"a\\|b"}`');
    expect(cells(x3)).toHaveLength(5);
    expect(md).not.toContain('<script>');
  });

  it('says plainly when nothing failed', () => {
    const report = fixtureReport();
    report.targets = [report.targets[0]!];
    report.verdict = 'pass';
    const md = renderMarkdown(report);
    expect(md).toContain('## Root cause\n\nNone: no step failed.');
    expect(md).not.toContain('## Other findings');
    expect(md).not.toContain('## Leftovers');
  });

  it("keeps a rule's `code` spans as code, escapes a lone backtick, and names its table columns", () => {
    const report = incidentReport();
    report.targets[0]!.findings[0]!.cause = 'The proxy routes `mlflow-artifacts` wrong; a server said `x';
    const md = renderMarkdown(report);
    expect(md).toContain('The proxy routes \\`mlflow-artifacts\\` wrong; a server said \\`x');
    report.targets[0]!.findings[0]!.cause = 'The proxy routes `mlflow-artifacts` requests wrong.';
    expect(renderMarkdown(report)).toContain('The proxy routes `mlflow-artifacts` requests wrong.');
    expect(md).toContain('| Field | Value |');
  });
});
