// Server text is data in every output. A deployment writes GitHub Actions workflow commands in its
// answers — the legacy `##[command]` form, which the runner obeys ANYWHERE in a line, and `::` at the
// start of one — bare URLs that GitHub's Markdown would turn into links, and the key in UTF-16. None
// of it may act: not on the CI log (stdout and stderr, the check's own annotations included), not in
// the Markdown report or the job summary, and the key never shows, whatever the body's encoding.
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { runInProcess } from '../helpers/in-process.js';
import { respond, startHostileDeployment } from '../helpers/safety-hostile.js';
import { findLeaks } from '../helpers/safety-leak.js';
import type { Received } from '../helpers/safety-servers.js';
import { tempDir } from '../helpers/tmp.js';

const tmp = tempDir();
afterAll(() => tmp.remove());

const key = `hk_test_${randomBytes(16).toString('hex')}`;
const masked = `hk_test_…${key.slice(-4)}`;

/**
 * The lines the Actions runner reads as workflow commands (actions/runner, ActionCommandManager): a
 * line whose start, after whitespace, is `::` (ActionCommand.TryParseV2), or that holds `##[` anywhere
 * (ActionCommand.TryParse: `message.IndexOf("##[")`). It reads stdout and stderr line by line.
 */
function workflowCommands(output: string): string[] {
  return output.split(/\r\n|\r|\n/).filter((line) => /^\s*::/.test(line) || line.includes('##['));
}

/** GFM extended autolinks (github.github.com/gfm, "Autolinks (extension)") in text outside code. */
function autolinks(markdown: string): string[] {
  const prose = markdown
    .replace(/^(`{3,})[^\n]*\n[\s\S]*?\n\1$/gm, '')
    .replace(/\\`/g, '')
    .replace(/(`+)[\s\S]*?\1/g, '');
  return [...prose.matchAll(/(?:^|[\s*_~(])((?:https?:\/\/|ftp:\/\/|www\.)[A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]+)*)/gm)]
    .map((m) => m[1]!)
    .filter((link) => !link.startsWith('www.') || link.includes('.', 4));
}

const EVIL = '##[stop-commands]tok ##[error]forged ##[add-mask]e see https://evil.example/x and www.evil.example now';
const JSON_TYPE = { 'content-type': 'application/json' };

/** MLflow failing with the hostile text in its message: the root cause quotes it in its Cause line. */
function hostileMlflow(): ReturnType<typeof startHostileDeployment> {
  return startHostileDeployment(
    respond(
      500,
      JSON_TYPE,
      JSON.stringify({ error_code: 'INTERNAL_ERROR', message: `boom ${EVIL}\n::set-output name=verdict::pass\n  ::error::fake` }),
    ),
    (r: Received) => r.path.includes('/experiments/search'),
  );
}

describe('workflow commands in server text never reach the CI log as commands', () => {
  it('terminal, --verbose, annotations and the JSON on stdout: only the check’s own annotations are commands', async () => {
    const server = await hostileMlflow();
    try {
      const summary = tmp.file('summary.md');
      const target = ['--registry-url', server.url, '--auth-url', server.url];
      const env = { HOKUSAI_API_KEY: key, GITHUB_STEP_SUMMARY: summary };
      const runs = [];
      for (const extra of [['-v'], ['--json', '-'], ['--quiet']]) {
        writeFileSync(summary, '');
        runs.push(await runInProcess([...target, ...extra], { env }));
      }
      for (const run of runs) {
        expect(run.code, run.stderr.slice(0, 500)).toBe(1);
        const commands = workflowCommands(run.all);
        expect(commands.length, run.all).toBeGreaterThan(0);
        for (const line of commands) {
          expect(line, 'only the annotation writer emits commands').toMatch(/^::(error|warning) title=[^:]*::/);
          expect(line).not.toContain('##[');
        }
        // The text is still there to read.
        expect(run.all).toContain('stop-commands]tok');
      }
      expect(runs[0]!.stdout).toMatch(/^::error title=MLFLOW_INTERNAL_ERROR::.*boom .*stop-commands\]tok/m);
    } finally {
      await server.close();
    }
  });

  it('usage errors echo what was typed without a command in it (check, commander)', async () => {
    const runs = [
      await runInProcess(['--registry-url', 'http://127.0.0.1:9', '--mlflow-path', '##[stop-commands]tok'], {
        env: { HOKUSAI_API_KEY: key },
      }),
      await runInProcess(['--registry-url', 'http://127.0.0.1:9'], {
        env: { HOKUSAI_API_KEY: key, HOKUS_CHECK_SERVICE_ID: 'a b ##[add-mask]e' },
      }),
      await runInProcess(['--##[stop-commands]tok'], { env: { HOKUSAI_API_KEY: key } }),
    ];
    for (const run of runs) {
      expect(run.code).toBe(2);
      expect(workflowCommands(run.all), run.all).toEqual([]);
      expect(run.all).toMatch(/stop-commands\]tok|add-mask\]e/);
    }
  });
});

describe('server URLs in the Markdown report are not links', () => {
  it('--markdown and the job summary: server text shows its URLs as text; the tool’s own commands keep theirs', async () => {
    const server = await hostileMlflow();
    try {
      const summary = tmp.file('summary-md.md');
      writeFileSync(summary, '');
      const file = tmp.file('report.md');
      const run = await runInProcess(['--registry-url', server.url, '--auth-url', server.url, '--markdown', file], {
        env: { HOKUSAI_API_KEY: key, GITHUB_STEP_SUMMARY: summary },
      });
      expect(run.code).toBe(1);
      for (const md of [readFileSync(file, 'utf8'), readFileSync(summary, 'utf8')]) {
        expect(autolinks(md), md).toEqual([]);
        const read = md.replace(/[\u200b-\u200d\u2060]/g, '');
        expect(read).toContain('https://evil.example/x');
        expect(read).toContain('www.evil.example');
        // The reproduce command, in a code block, is the URL as it is: copied, it runs.
        expect(md).toContain(`curl -sS -i '${server.url}/api/mlflow/api/2.0/mlflow/experiments/search?max_results=1'`);
        expect(workflowCommands(md)).toEqual([]);
      }
    } finally {
      await server.close();
    }
  });
});

describe('a body in UTF-16 is decoded before it is redacted', () => {
  const secret = key.slice('hk_test_'.length);
  const text = `${secret}: invalid key ${key}`;
  const le = Buffer.from(text, 'utf16le');
  const be = Buffer.from(le).swap16();
  const VARIANTS: Array<[string, Buffer]> = [
    ['UTF-16LE with a BOM', Buffer.concat([Buffer.from([0xff, 0xfe]), le])],
    ['UTF-16BE with a BOM', Buffer.concat([Buffer.from([0xfe, 0xff]), be])],
    ['UTF-16LE without a BOM', le],
    ['UTF-16BE without a BOM', be],
  ];

  /** The key in UTF-16, as text with NULs (raw or escaped) between its characters or as hex. */
  function utf16Leaks(output: string): string[] {
    const hits = findLeaks(output.replace(/\u0000|\\x00|\\u0000/g, ''), key).map((l) => l.form);
    const hay = output.toLowerCase();
    for (let i = 0; i + 8 <= secret.length; i++) {
      const piece = Buffer.from(secret.slice(i, i + 8), 'utf16le');
      for (const hex of [piece.toString('hex'), Buffer.from(piece).swap16().toString('hex')])
        if (hay.includes(hex)) hits.push(`UTF-16 hex at ${i}`);
    }
    return hits;
  }

  it.each(VARIANTS)('%s: no output holds the key; the excerpt shows the text, the key masked', async (_name, body) => {
    const server = await startHostileDeployment(respond(500, { 'content-type': 'text/plain; charset=utf-16' }, body), (r) =>
      r.path.includes('/experiments/search'),
    );
    try {
      const json = tmp.file('utf16.json');
      const run = await runInProcess(
        ['--registry-url', server.url, '-v', '--json', json, '--har', tmp.file('utf16.har'), '--markdown', tmp.file('utf16.md')],
        {
          env: { HOKUSAI_API_KEY: key },
        },
      );
      const files = ['utf16.json', 'utf16.har', 'utf16.md'].map((f) => readFileSync(tmp.file(f), 'utf8'));
      for (const output of [run.all, ...files]) expect(utf16Leaks(output), output.slice(0, 2000)).toEqual([]);
      const report = JSON.parse(files[0]!) as {
        targets: Array<{ exchanges: Array<{ step: string; response?: { bodyExcerpt: string; binary?: unknown } }> }>;
      };
      const x = report.targets[0]!.exchanges.find((e) => e.step === 'experiments')!;
      expect(x.response?.binary).toBeUndefined();
      expect(x.response?.bodyExcerpt).toBe(`${masked}: invalid key ${masked}`);
    } finally {
      await server.close();
    }
  });
});
