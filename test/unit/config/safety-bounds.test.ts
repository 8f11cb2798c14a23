// Input a user (or a checked-out branch) controls: a discovered config file cannot route the key,
// durations past Node's timers, a key on stdin past any key's size, URL errors with a secret query,
// and where progress may draw. Each is a one-line usage error (exit 2), never a crash.
import { describe, expect, it } from 'vitest';
import { resolveKeys } from '../../../src/commands/keys.js';
import { MIN_SPINNER_COLUMNS, progressMode } from '../../../src/commands/progress.js';
import { MAX_DURATION_MS, parseDuration } from '../../../src/config/durations.js';
import { UsageError } from '../../../src/config/errors.js';
import { MAX_KEY_BYTES } from '../../../src/config/key-guard.js';
import { resolveSettings, type FlagValues } from '../../../src/config/resolve.js';
import { urlProblem } from '../../../src/config/urls.js';
import type { Io } from '../../../src/io.js';
import { runArtifactPath } from '../../../src/mlflow/artifact-path.js';
import { fakeIo } from '../../helpers/safety-inprocess.js';

const CWD = '/work/repo';
const FOUND = `${CWD}/hokus-check.config.json`;

function resolveWith(file: unknown, flags: FlagValues, path = FOUND) {
  return resolveSettings({ flags, env: {}, cwd: CWD, readFile: (p) => (p === path ? JSON.stringify(file) : undefined) });
}

function problems(run: () => unknown): string[] {
  try {
    run();
    return [];
  } catch (err) {
    if (err instanceof UsageError) return err.lines;
    throw err;
  }
}

const hostile = {
  defaults: { registryUrl: 'https://collector.evil.example', apiKeyEnv: 'GITHUB_TOKEN' },
  environments: {
    prod: { registryUrl: 'https://registry.hokus.ai', apiKeyEnv: 'GITHUB_TOKEN' },
    staging: { registryUrl: 'https://registry.staging.example', apiKeyEnv: 'HOKUSAI_STAGING_KEY' },
  },
};

describe('a config file found in the working directory cannot choose which secret is sent where', () => {
  it('refuses apiKeyEnv naming a variable other than HOKUSAI_* (even for a named environment)', () => {
    const lines = problems(() => resolveWith(hostile, { env: ['prod'] }));
    expect(lines).toEqual([
      expect.stringMatching(
        /^environments\.prod\.apiKeyEnv in hokus-check\.config\.json names GITHUB_TOKEN: a config file found in the working directory may only name HOKUSAI_\* variables.*--config hokus-check\.config\.json/,
      ),
    ]);
  });

  it('refuses URLs from "defaults" for a run that names no environment', () => {
    const lines = problems(() => resolveWith({ defaults: { registryUrl: 'https://collector.evil.example' }, environments: {} }, {}));
    expect(lines).toEqual([
      expect.stringMatching(
        /^defaults\.registryUrl in hokus-check\.config\.json: a config file found in the working directory does not choose where the key goes/,
      ),
    ]);
  });

  it('accepts HOKUSAI_* names and a named environment', () => {
    const s = resolveWith(hostile, { env: ['staging'] });
    expect(s.targets.map((t) => [t.registryUrl, t.apiKeyEnv])).toEqual([['https://registry.staging.example', 'HOKUSAI_STAGING_KEY']]);
  });

  it('the user lifts the rule explicitly: --config FILE, or the flags themselves', () => {
    expect(resolveWith(hostile, { env: ['prod'], config: 'hokus-check.config.json' }).targets[0]!.apiKeyEnv).toBe('GITHUB_TOKEN');
    expect(resolveWith(hostile, { config: 'hokus-check.config.json' }).targets[0]!.registryUrl).toBe('https://collector.evil.example');
    expect(resolveWith(hostile, { env: ['prod'], apiKeyEnv: 'GITHUB_TOKEN' }).targets[0]!.apiKeyEnv).toBe('GITHUB_TOKEN');
    expect(resolveWith(hostile, { registryUrl: 'https://registry.hokus.ai', apiKeyEnv: 'HOKUSAI_API_KEY' }).targets[0]!.registryUrl).toBe(
      'https://registry.hokus.ai',
    );
  });
});

describe('bounds', () => {
  it(`durations: up to ${MAX_DURATION_MS / 3_600_000}h; past it (where Node timers would overflow) a usage error`, () => {
    expect(parseDuration('168h')).toBe(MAX_DURATION_MS);
    expect(() => parseDuration('169h')).toThrow(/too long \(at most 168h\)/);
    expect(() => parseDuration('596h')).toThrow(UsageError); // 2^31 ms: setTimeout would fire at once
    expect(() => parseDuration('99999999999999999999')).toThrow(UsageError);
    expect(parseDuration('2000h', Number.MAX_SAFE_INTEGER)).toBe(2000 * 3_600_000);
    expect(
      problems(() =>
        resolveSettings({ flags: { registryUrl: 'https://r.example', deadline: '600h' }, env: {}, cwd: CWD, readFile: () => undefined }),
      ),
    ).toEqual([expect.stringMatching(/deadline.*too long/)]);
  });

  it(`the key on stdin: more than ${MAX_KEY_BYTES} bytes is refused, and stdin is not read past the bound`, async () => {
    let asked: number | undefined;
    const io: Io = {
      ...fakeIo([], [], {}, CWD),
      readStdin: (limit?: number) => ((asked = limit), Promise.resolve('hk_test_'.padEnd(MAX_KEY_BYTES + 1, 'x'))),
    };
    const settings = resolveSettings({ flags: { registryUrl: 'https://r.example' }, env: {}, cwd: CWD, readFile: () => undefined });
    await expect(resolveKeys(settings, true, { io, env: {} })).rejects.toThrow(/more than 4096 bytes on stdin/);
    expect(asked).toBe(MAX_KEY_BYTES);
  });

  it('a URL error never shows the query or fragment', () => {
    expect(urlProblem('https://r.example/base?token=s3cr3t-value')).toBe(
      '"https://r.example/base" must be a base URL, without "?query" or "#fragment" (not shown: either may hold a secret)',
    );
    expect(urlProblem('not a url?token=s3cr3t-value')).not.toContain('s3cr3t');
    expect(urlProblem('https://r.example/#s3cr3t-value')).not.toContain('s3cr3t');
  });
});

describe('the artifact location', () => {
  const run = '3aef14844009483e99bc4beff637e9a5';
  it.each([
    [`mlflow-artifacts:/1/${run}/artifacts`, '1/3aef14844009483e99bc4beff637e9a5/artifacts'],
    [`mlflow-artifacts:/1/${run}/artifacts/`, '1/3aef14844009483e99bc4beff637e9a5/artifacts'],
    [`mlflow-artifacts://mlflow.internal:5000/1/${run}/artifacts`, '1/3aef14844009483e99bc4beff637e9a5/artifacts'],
    [`s3://bucket/prefix/1/${run}/artifacts`, '1/3aef14844009483e99bc4beff637e9a5/artifacts'],
  ])('%s → %s', (uri, path) => {
    expect(runArtifactPath(uri, '1', run)).toEqual({ ok: true, path });
  });

  it.each([
    `mlflow-artifacts:/1/${run}/artifacts/..`,
    `mlflow-artifacts:/1/${run}/artifacts/../../x`,
    `mlflow-artifacts:/1/${run}/artifacts?x`,
    `mlflow-artifacts:/1/${run}/artifacts#x`,
    `mlflow-artifacts:/%31/${run}/artifacts`,
    `mlflow-artifacts:/2/${run}/artifacts`,
    `mlflow-artifacts:/1/${run}/artifacts/hokus-check`,
    `mlflow-artifacts:/prefix/1/${run}/artifacts`,
    `mlflow-artifacts://evil.example/../1/${run}/artifacts`,
    `MLFLOW-ARTIFACTS:/1/${run}/../${run}/artifacts`,
  ])('refuses %s', (uri) => {
    expect(runArtifactPath(uri, '1', run).ok).toBe(false);
  });

  it.each([
    ['..', run],
    ['1', '../x'],
    ['1', '%2e%2e'],
    ['1', 'a?b'],
    ['1', undefined],
  ])('refuses ids %j / %j', (exp, id) => {
    expect(runArtifactPath(undefined, exp, id).ok).toBe(false);
  });
});

describe('where progress may draw', () => {
  const tty = (columns: number | undefined, term: string | undefined, interactive = true): Io => ({
    ...fakeIo([], [], term === undefined ? {} : { TERM: term }, CWD),
    interactive,
    stderrStream: { isTTY: true, columns } as NodeJS.WriteStream,
  });
  it.each([
    [80, 'xterm', true, 'spinner'],
    [MIN_SPINNER_COLUMNS, 'xterm', true, 'spinner'],
    [MIN_SPINNER_COLUMNS - 1, 'xterm', true, 'lines'],
    [0, 'xterm', true, 'lines'],
    [undefined, 'xterm', true, 'lines'],
    [Number.NaN, 'xterm', true, 'lines'],
    [80, 'dumb', true, 'lines'],
    [80, undefined, true, 'lines'],
    [80, 'xterm', false, 'off'],
  ] as const)('%s columns, TERM=%s, interactive %s → %s', (columns, term, interactive, mode) => {
    expect(progressMode(tty(columns as number, term, interactive))).toBe(mode);
  });
  it('no stderr stream, or not a TTY: off', () => {
    expect(progressMode({ ...fakeIo([], [], {}, CWD), interactive: true })).toBe('off');
    expect(
      progressMode({ ...fakeIo([], [], {}, CWD), interactive: true, stderrStream: { isTTY: false, columns: 80 } as NodeJS.WriteStream }),
    ).toBe('off');
  });
});
