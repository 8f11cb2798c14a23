// The one place reports become files: renders each requested format and writes it (creating parent
// directories), '-' meaning stdout; the Markdown is also appended to GitHub's step summary file.
// Every file's bytes pass the last redaction and sanitising pass (safe-output.ts) on the way out.
import { appendFile, mkdir, stat, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { renderHar } from './har.js';
import { renderJson } from './json.js';
import { renderJunit } from './junit.js';
import { renderMarkdown } from './markdown.js';
import { createRedactor, type Redactor } from '../http/redact.js';
import { safeText, type SafeTextOptions } from './safe-output.js';
import type { Report } from './schema.js';

export interface OutputTargets {
  /** A path, or '-' for stdout. */
  json?: string;
  junit?: string;
  markdown?: string;
  har?: string;
  /** GITHUB_STEP_SUMMARY: the Markdown report is appended to it. */
  githubSummaryPath?: string;
}

export interface OutputIo {
  stdout: (s: string) => void;
  /** The key's redactor (every form); without it, the generic credential patterns only. */
  redact?: Redactor;
}

/** Writes every requested format; returns the files written (stdout not included). */
export async function writeOutputs(report: Report, targets: OutputTargets, io: OutputIo): Promise<string[]> {
  const redact = io.redact ?? createRedactor([]);
  const formats: Array<[string, string | undefined, (r: Report) => string, SafeTextOptions['format']]> = [
    ['JSON report', targets.json, renderJson, 'json'],
    ['JUnit report', targets.junit, renderJunit, 'xml'],
    ['Markdown report', targets.markdown, renderMarkdown, 'text'],
    ['HAR file', targets.har, renderHar, 'json'],
  ];
  const written: string[] = [];
  for (const [what, path, render, format] of formats) {
    if (path === undefined || path === '') continue;
    const content = safeText(render(report), redact, { format });
    if (path === '-') {
      io.stdout(content);
      continue;
    }
    await guarded(what, path, async () => {
      await mkdir(dirname(path), { recursive: true });
      await writeFile(path, content, 'utf8');
    });
    written.push(path);
  }
  const summary = targets.githubSummaryPath;
  if (summary !== undefined && summary !== '') {
    await guarded('GitHub step summary', summary, async () => {
      await mkdir(dirname(summary), { recursive: true });
      const existing = await stat(summary).then((s) => s.size, () => 0);
      await appendFile(summary, (existing > 0 ? '\n' : '') + safeText(renderMarkdown(report), redact), 'utf8');
    });
    written.push(summary);
  }
  return written;
}

async function guarded(what: string, path: string, write: () => Promise<void>): Promise<void> {
  try {
    await write();
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    // Node's "EACCES: permission denied, open '/x'" → "EACCES: permission denied" (the path is named already).
    const reason = (e.message || String(err)).split('\n')[0]?.replace(/, \w+ '.*'$/, '') ?? e.code;
    throw new Error(`cannot write the ${what} to ${path}: ${reason}`);
  }
}
