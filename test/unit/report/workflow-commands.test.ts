// What the GitHub Actions runner would act on, checked with its own rule (actions/runner,
// ActionCommandManager): a line is a command when it starts with `::` after whitespace, or holds `##[`
// anywhere. The last pass (safe-output.ts) defuses both in every format, the annotation writer
// (github.ts) keeps them out of its own lines' text, and the Markdown primitives keep server URLs from
// becoming links.
import { describe, expect, it } from 'vitest';
import { createRedactor } from '../../../src/http/redact.js';
import { renderGithubAnnotations } from '../../../src/report/github.js';
import { renderMarkdown } from '../../../src/report/markdown.js';
import { defuseCommands, safeText } from '../../../src/report/safe-output.js';
import { writeOutputs } from '../../../src/report/write.js';
import { incidentReport } from './fixture.js';

const isCommand = (line: string) => /^\s*::/.test(line) || line.includes('##[');
const commands = (text: string) => text.split(/\r\n|\r|\n/).filter(isCommand);

const HOSTILE = [
  '##[stop-commands]tok',
  'Cause: x ##[error]forged',
  'a ##[add-mask]e b',
  '###[set-env name=A]b',
  '#\\u0023[ stays as typed',
  '  ::error::indented',
  '\u3000::warning::ideographic space',
  'fine :: in the middle',
].join('\n');

describe('defuseCommands', () => {
  it('leaves no line the runner would run, and keeps the text readable', () => {
    const out = defuseCommands(HOSTILE);
    expect(commands(out)).toEqual([]);
    expect(out.split('\n')).toHaveLength(HOSTILE.split('\n').length);
    expect(out).toContain('stop-commands]tok');
    expect(out).toContain('fine :: in the middle');
    expect(defuseCommands(out)).toBe(out);
  });

  it('in every format of the last pass; JSON and XML stay valid and read back unchanged', () => {
    const r = createRedactor([]);
    expect(commands(safeText(HOSTILE, r))).toEqual([]);
    const json = safeText(JSON.stringify({ a: HOSTILE, b: ['##[x]'] }, null, 2), r, { format: 'json' });
    expect(commands(json)).toEqual([]);
    expect(JSON.parse(json)).toEqual({ a: HOSTILE, b: ['##[x]'] });
    const xml = safeText(`<x a="##[stop-commands]t">##[error]y</x>`, r, { format: 'xml' });
    expect(commands(xml)).toEqual([]);
    expect(xml.replace(/&#35;/g, '#')).toBe('<x a="##[stop-commands]t">##[error]y</x>');
  });
});

describe('the annotation writer', () => {
  it('keeps `##[` out of its own lines: in the title and in the message', () => {
    const report = incidentReport();
    const f = report.targets[0]!.findings[0]!;
    f.code = 'X##[stop-commands]t';
    f.cause = 'server said ##[stop-commands]tok and ##[add-mask]e';
    const lines = renderGithubAnnotations(report).trimEnd().split('\n');
    for (const line of lines) {
      expect(line).toMatch(/^::(error|warning) title=[^:]*::/);
      expect(line).not.toContain('##[');
    }
    expect(lines[0]).toContain('stop-commands]tok');
  });
});

describe('writeOutputs', () => {
  it("'-' for stdout: JSON, JUnit and Markdown hold no command", async () => {
    const report = incidentReport();
    report.targets[0]!.findings[0]!.cause = 'boom\n##[stop-commands]tok\n::set-output name=a::b';
    report.targets[0]!.steps[0]!.detail = '##[error]forged';
    for (const format of ['json', 'junit', 'markdown', 'har'] as const) {
      const out: string[] = [];
      await writeOutputs(report, { [format]: '-' }, { stdout: (s) => out.push(s) });
      expect(commands(out.join('')), format).toEqual([]);
    }
  });
});

describe('Markdown', () => {
  /** GFM extended autolinks in text outside code spans and fences. */
  const autolinks = (md: string) =>
    [
      ...md
        .replace(/^(`{3,})[^\n]*\n[\s\S]*?\n\1$/gm, '')
        .replace(/\\`/g, '')
        .replace(/(`+)[\s\S]*?\1/g, '')
        .matchAll(/(?:^|[\s*_~(])((?:https?:\/\/|ftp:\/\/|www\.)[A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]+)*)/gm),
    ].map((m) => m[1]);

  it('server URLs in text are not autolinked; in code they are left as they are', () => {
    const report = incidentReport();
    report.targets[0]!.findings[0]!.cause =
      'the proxy answered https://evil.example/login, (www.evil.example) and HTTP://X.example and *http://y.example*';
    report.targets[0]!.steps[0]!.detail = 'redirect to https://evil.example/a';
    report.targets[0]!.leftovers = ['see www.evil.example/x'];
    const md = renderMarkdown(report);
    expect(autolinks(md)).toEqual([]);
    const read = md.replace(/\u200d/g, '');
    for (const url of [
      'https://evil.example/login',
      'www.evil.example',
      'HTTP://X.example',
      'https://evil.example/a',
      'www.evil.example/x',
    ])
      expect(read).toContain(url);
    // A URL in code (the request column, the curl line) is not touched.
    expect(md).toContain('`PUT https://registry.example.test/api/mlflow/');
    expect(md).toMatch(/```sh\ncurl .*'https:\/\/registry\.example\.test\//);
  });
});
