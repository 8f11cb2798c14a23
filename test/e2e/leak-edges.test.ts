// A hostile deployment echoes the key in every form (any case, base64, hex, %xx for every byte, JSON
// \u escapes, HTML entities, 8-character runs) in every place a response has — JSON strings on a
// passing run, the status text, header names and values, the content type, bodies — and puts control
// characters and workflow commands in its text. Every writer (terminal, progress lines, --verbose,
// JSON, JUnit, Markdown, HAR, GitHub step summary, --post-report) must show none of it raw.
// In-process (safety-inprocess.ts): the hostile servers are this file's own, the MLflow behind the
// registry proxy is the embedded stack.
import { readFileSync } from 'node:fs';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type Stack } from '../../src/sim/stack.js';
import { runCheckInProcess, type InProcessRun } from '../helpers/safety-inprocess.js';
import { echoForms, findLeaks } from '../helpers/safety-leak.js';
import { serveHttp, type TestServer } from '../helpers/safety-servers.js';
import { startTamperingProxy, type Upstream } from '../helpers/safety-tamper.js';
import { tempDir } from '../helpers/tmp.js';

const tmp = tempDir();
let stack: Stack;
let key: string;
beforeAll(async () => {
  stack = await startStack();
  key = stack.apiKey;
});
afterAll(async () => {
  await stack.close();
  tmp.remove();
});

/** Server text that would act on a terminal or a CI log if printed raw. */
const INJECTIONS = [
  '\n::set-output name=verdict::pass\n',
  '\r\n::error title=fake::all good\r\n',
  '\u001b]8;;https://evil.example/\u0007click\u001b]8;;\u0007',
  '\u001b[2J\u001b[H\u001b[31mFAKE',
  '\u009b2J\u0085next',
  'abc\u202edcba\u2066x\u2069',
];

const RAW_CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

/** The forms, as raw JSON string contents (the \u forms must reach the parser as escapes). */
function rawJsonStrings(): string {
  return [...INJECTIONS.map((s) => JSON.stringify(s)), ...echoForms(key).map(([, text]) => `"${text}"`)].join(',');
}

/** An auth service that says the key is valid, and echoes it everywhere it can. */
function hostileAuth(): Promise<TestServer> {
  return serveHttp((req, res) => {
    res.statusMessage = `OK ${key}`;
    res.setHeader(`x-${key}`, key.toUpperCase());
    res.setHeader(
      'x-echo',
      echoForms(key)
        .map(([, t]) => t)
        .join(' '),
    );
    res.setHeader('content-type', `application/json; charset=utf-8; echo=${Buffer.from(key).toString('hex')}`);
    if (req.url === '/health') return void res.end('{"status":"healthy"}');
    req.resume();
    req.on('end', () => res.end(`{"is_valid":true,"key_id":"k1","service_id":"platform","scopes":["read",${rawJsonStrings()}]}`));
  });
}

/** Every answer of the registry gets the key in its status text and headers; search answers in their body. */
function echoEverywhere(request: { path: string }, answer: Upstream): Upstream {
  // Bytes 0x80-0xff are legal in a status text and a header value (obs-text); read as latin1, 0x9b
  // is the C1 control CSI and 0x85 is NEL.
  const headers: Array<[string, string]> = [
    ...answer.headers,
    [`x-${key}`, 'name'],
    ['x-echo', Buffer.from(key).toString('base64')],
    ['x-hex', `${Buffer.from(key).toString('hex').toUpperCase()} \u009b2J\u0085`],
  ];
  const out = { ...answer, statusText: `${answer.statusText} ${key.toLowerCase()} \u009b31m`, headers };
  if (!request.path.includes('/experiments/search') && !request.path.includes('/runs/create')) return out;
  const text = answer.body.toString('utf8');
  return { ...out, body: Buffer.from(text.replace(/^\{/, `{"note":[${rawJsonStrings()}],`)) };
}

interface Outputs {
  run: InProcessRun;
  /** Channel → text. */
  channels: Map<string, string>;
}

async function runAgainst(name: string, authUrl: string, registryUrl: string): Promise<Outputs> {
  const posted: Buffer[] = [];
  const collector = await serveHttp((req, res) => {
    req.on('data', (c: Buffer) => posted.push(c));
    req.on('end', () => res.end('ok'));
  });
  const file = (ext: string) => tmp.file(`${name}.${ext}`);
  try {
    const run = await runCheckInProcess({
      flags: { registryUrl, authUrl, mlflowDirectUrl: stack.mlflowUrl, timeout: '3s', registerWait: '2s' },
      outputs: {
        json: file('json'),
        junit: file('xml'),
        markdown: file('md'),
        har: file('har'),
        verbose: true,
        postReport: `${collector.url}/reports`,
      },
      key,
      summaryFile: file('summary.md'),
      cwd: tmp.path,
      // A terminal: progress lines are written (0 columns: plain lines, no spinner).
      io: { interactive: true, stderrStream: { isTTY: true, columns: 0 } as NodeJS.WriteStream },
    });
    const channels = new Map<string, string>([
      ['stdout (matrix, annotations)', run.out],
      ['stderr (progress, --verbose)', run.err],
      ['json', readFileSync(file('json'), 'utf8')],
      ['junit', run.files.get('junit') ?? ''],
      ['markdown', run.files.get('markdown') ?? ''],
      ['har', run.files.get('har') ?? ''],
      ['GITHUB_STEP_SUMMARY', run.files.get('summary') ?? ''],
      // multipart/form-data frames its parts with CRLF: that is the format's, not the server's.
      ['--post-report body', Buffer.concat(posted).toString('utf8').replace(/\r\n/g, '\n')],
    ]);
    return { run, channels };
  } finally {
    await collector.close();
  }
}

function expectSafe({ channels }: Outputs): void {
  for (const [channel, text] of channels) {
    expect(text.length, `${channel} was written`).toBeGreaterThan(0);
    expect(findLeaks(text, key), `${channel} leaks the key`).toEqual([]);
    const raw = RAW_CONTROL.exec(text);
    expect(raw, `${channel} has a raw control character ${raw ? JSON.stringify(raw[0]) : ''} at ${raw?.index}`).toBeNull();
    // The only workflow commands are the annotations the tool writes itself, on stdout.
    const commands = text.split('\n').filter((line) => /^\s*::/.test(line));
    for (const line of commands) {
      expect(channel, `${channel}: ${line}`).toBe('stdout (matrix, annotations)');
      expect(line).toMatch(/^::(error|warning) title=[^:\n]*::/);
    }
  }
}

describe('a hostile deployment cannot put the key or control characters into any output', () => {
  it('echoes on a passing run: auth scopes, status text, header names, content type, search bodies', async () => {
    const auth = await hostileAuth();
    const registry = await startTamperingProxy(stack.registryUrl, echoEverywhere);
    try {
      const outputs = await runAgainst('passing', auth.url, registry.url);
      expectSafe(outputs);
      expect(outputs.run.code, outputs.run.out + outputs.run.err).toBe(0);
      // The echoes did reach the outputs — masked, escaped: the test looks where they went.
      const stdout = outputs.channels.get('stdout (matrix, annotations)')!;
      expect(stdout).toContain(`hk_test_…${key.slice(-4)}`);
      const report = JSON.parse(outputs.channels.get('json')!) as { targets: Array<{ steps: Array<{ id: string; detail: string }> }> };
      const authStep = report.targets[0]!.steps.find((step) => step.id === 'auth')!;
      expect(authStep.detail).toContain('\\n::set-output name=verdict::pass\\n');
      expect(authStep.detail).toContain('\\x1b]8;;https://evil.example/\\x07');
      expect(outputs.channels.get('stderr (progress, --verbose)')).toMatch(/auth pass \d+ms {2}key valid for platform scopes read,/);
      const har = outputs.channels.get('har')!;
      expect(har).toContain(`x-hk_test_…${key.slice(-4)}`);
      expect(har).toContain(`OK hk_test_…${key.slice(-4)}`);
      // The C1 bytes of a header value arrived, and are shown escaped (undici reads the status text as
      // UTF-8: there the byte arrives as U+FFFD).
      expect(har).toContain('\\\\x9b2J\\\\x85');
    } finally {
      await Promise.all([auth.close(), registry.close()]);
    }
  });

  it('the same echoes on a failing run, where findings, causes and annotations quote the server', async () => {
    const auth = await hostileAuth();
    // Every MLflow call answers 500 with the echoes in its JSON error message.
    const registry = await startTamperingProxy(stack.registryUrl, (request, answer) => {
      const echoed = echoEverywhere(request, answer);
      if (!request.path.includes('/runs/create')) return echoed;
      const body = `{"error_code":"INTERNAL_ERROR","message":[${rawJsonStrings()}],"detail":"${echoForms(key)[13]![1]}"}`;
      return { ...echoed, status: 500, statusText: `Internal ${key}`, body: Buffer.from(body) };
    });
    try {
      const outputs = await runAgainst('failing', auth.url, registry.url);
      expectSafe(outputs);
      expect(outputs.run.code).toBe(1);
      expect(outputs.channels.get('stdout (matrix, annotations)')).toMatch(/^::error title=/m);
    } finally {
      await Promise.all([auth.close(), registry.close()]);
    }
  });

  it('the spinner on a terminal (stderr) shows step text redacted and inert; --json - on stdout still parses', async () => {
    const auth = await hostileAuth();
    const registry = await startTamperingProxy(stack.registryUrl, echoEverywhere);
    const pipe = new PassThrough();
    // What a TTY WriteStream adds (node:tty), writing the same escape sequences.
    const terminal = Object.assign(pipe, {
      isTTY: true,
      columns: 80,
      cursorTo: (x: number) => pipe.write(`\u001b[${x + 1}G`),
      clearLine: () => pipe.write('\u001b[2K'),
      moveCursor: (_dx: number, dy: number) => (dy < 0 ? pipe.write(`\u001b[${-dy}A`) : true),
    }) as unknown as NodeJS.WriteStream;
    const drawn: Buffer[] = [];
    (terminal as unknown as PassThrough).on('data', (c: Buffer) => drawn.push(c));
    try {
      const run = await runCheckInProcess({
        flags: { registryUrl: registry.url, authUrl: auth.url, timeout: '3s', registerWait: '2s' },
        outputs: { json: '-' },
        key,
        cwd: tmp.path,
        io: { interactive: true, stderrStream: terminal, term: 'xterm' },
      });
      expect(run.code, run.err).toBe(0);
      expect((JSON.parse(run.out) as { exitCode: number }).exitCode).toBe(0);
      const spinner = Buffer.concat(drawn).toString('utf8');
      // Steps that end before ora has loaded get a plain line on stderr; the rest are persisted by ora.
      expect(spinner + run.err).toMatch(/auth pass \d+ms {2}key valid for platform scopes read,/);
      expect(spinner).toMatch(/cleanup pass \d+ms/);
      // Colour off (NO_COLOR, or not a colour terminal): the spinner draws without colour codes.
      expect(spinner).toMatch(/[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏]/);
      expect(spinner).not.toMatch(/\u001b\[3\dm/);
      expect(findLeaks(spinner, key)).toEqual([]);
      // ora's own cursor and erase sequences are there; nothing of the server's is raw.
      const withoutOra = spinner.replace(/\u001b\[(?:\?25[lh]|\?2026[hl]|\d*[AGKJ]|\d*m|2K|1G)/g, '');
      expect(withoutOra).not.toMatch(RAW_CONTROL_BUT_NEWLINE);
      expect(withoutOra.split('\n').filter((l) => /^\s*::/.test(l))).toEqual([]);
    } finally {
      await Promise.all([auth.close(), registry.close()]);
    }
  });
});

const RAW_CONTROL_BUT_NEWLINE = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;
