// The one place reports become files: renders each requested format and writes it (creating parent
// directories), '-' meaning stdout; the Markdown is also appended to GitHub's step summary file.
// Every file's bytes pass the last redaction and sanitising pass (safe-output.ts) on the way out.
import { appendFile, mkdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { basename, dirname, join } from 'node:path';
import { renderHar } from './har.js';
import { renderJson } from './json.js';
import { renderJunit } from './junit.js';
import { renderMarkdown } from './markdown.js';
import { createRedactor, type Redactor } from '../http/redact.js';
import { renderPrometheus } from './prometheus.js';
import { safeText, type SafeTextOptions } from './safe-output.js';
import type { Report } from './schema.js';

export interface OutputTargets {
  /** A path, or '-' for stdout. */
  json?: string;
  junit?: string;
  markdown?: string;
  har?: string;
  /** Prometheus text exposition, written atomically (node_exporter's textfile collector reads it any time). */
  prometheus?: string;
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
  const formats: Array<[string, string | undefined, (r: Report) => string, SafeTextOptions['format'], atomic?: boolean]> = [
    ['JSON report', targets.json, renderJson, 'json'],
    ['JUnit report', targets.junit, renderJunit, 'xml'],
    ['Markdown report', targets.markdown, renderMarkdown, 'text'],
    ['HAR file', targets.har, renderHar, 'json'],
    ['Prometheus metrics', targets.prometheus, renderPrometheus, 'text', true],
  ];
  const written: string[] = [];
  for (const [what, path, render, format, atomic] of formats) {
    if (path === undefined || path === '') continue;
    const content = safeText(render(report), redact, { format });
    if (path === '-') {
      io.stdout(content);
      continue;
    }
    await guarded(what, path, async () => {
      await mkdir(dirname(path), { recursive: true });
      await (atomic ? writeAtomically(path, content) : writeFile(path, content, 'utf8'));
    });
    written.push(path);
  }
  const summary = targets.githubSummaryPath;
  if (summary !== undefined && summary !== '') {
    await guarded('GitHub step summary', summary, async () => {
      await mkdir(dirname(summary), { recursive: true });
      const existing = await stat(summary).then(
        (s) => s.size,
        () => 0,
      );
      await appendFile(summary, (existing > 0 ? '\n' : '') + safeText(renderMarkdown(report), redact), 'utf8');
    });
    written.push(summary);
  }
  return written;
}

/** Temp file in the same directory, then rename: a reader sees the old file or the new one, never half. */
async function writeAtomically(path: string, content: string): Promise<void> {
  const temp = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    await writeFile(temp, content, 'utf8');
    await rename(temp, path);
  } catch (err) {
    await rm(temp, { force: true });
    throw err;
  }
}

async function guarded(what: string, path: string, write: () => Promise<void>): Promise<void> {
  try {
    await write();
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    // Node's "EACCES: permission denied, open '/x'" → "EACCES: permission denied" (the path is named already).
    const reason = (e.message || String(err)).split('\n')[0]?.replace(/, \w+ '.*'$/, '') ?? e.code;
    throw new Error(`cannot write the ${what} to ${path}: ${reason}`, { cause: err });
  }
}
