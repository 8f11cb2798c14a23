// The CLI's flags (src/cli-flags.ts) against the owners of what they say: every default a help text
// states is config/defaults.ts's (read back from the help commander renders), the flag of every
// setting is config/fields.ts's, and every flag a command line printed for the user names
// (config/target-flags.ts) or argv-guard.ts reads is one the command takes.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { defineCli } from '../../src/cli.js';
import { DEFAULTS } from '../../src/config/defaults.js';
import { FIELDS } from '../../src/config/fields.js';
import { confirmCommand, sweepCommand, type TargetFlagsOf } from '../../src/config/target-flags.js';
import { createFactory } from '../../src/factory.js';
import type { Io } from '../../src/io.js';
import { runInProcess } from '../helpers/in-process.js';

const io: Io = {
  out: () => undefined,
  err: () => undefined,
  interactive: false,
  color: false,
  readStdin: () => Promise.resolve(''),
  stdoutStream: { columns: 80 } as NodeJS.WriteStream,
  onSignal: () => () => undefined,
};
const { program } = await defineCli(createFactory({ io, env: {}, cwd: process.cwd(), version: '0.0.0-test' }));
const commands = new Map(program.commands.map((c) => [c.name(), c]));
const command = (name: string) => commands.get(name)!;

/** A default a help text states in words, not a value a user could type instead. */
const DESCRIBED = [
  '[]',
  'all',
  'a free port',
  'a generated hk_test_ key, printed',
  '10% of it, at most 500ms',
  'one trace id per check, recorded in the report',
];
/** Arguments whose default is a DEFAULTS entry under another name. */
const ARGUMENT_DEFAULTS: Record<string, keyof typeof DEFAULTS> = { 'init [path]': 'config' };

/** Every "(default …)" of every option's and argument's help text, as commander renders it. */
function statedDefaults(): Array<{ where: string; key: string | undefined; text: string }> {
  return [program, ...program.commands].flatMap((cmd) => {
    const help = cmd.createHelp();
    const texts = [
      ...help
        .visibleOptions(cmd)
        .map((o) => ({ where: `${cmd.name()} ${o.long}`, key: o.attributeName(), help: help.optionDescription(o) })),
      ...help.visibleArguments(cmd).map((a) => {
        const where = `${cmd.name()} [${a.name()}]`;
        return { where, key: ARGUMENT_DEFAULTS[where], help: help.argumentDescription(a) };
      }),
    ];
    return texts.flatMap(({ where, key, help: text }) =>
      [...text.matchAll(/\(default:? ([^)]*)\)/g)].map((m) => ({ where, key, text: m[1]!.replace(/^"(.*)"$/, '$1') })),
    );
  });
}

describe('the defaults the help states', () => {
  const stated = statedDefaults();

  it('are DEFAULTS, each where its option states one (the value first, then any words about it)', () => {
    for (const { where, key, text } of stated) {
      if (key !== undefined && key in DEFAULTS) expect(text.split(' ')[0], where).toBe(DEFAULTS[key as keyof typeof DEFAULTS]);
      else expect(DESCRIBED, `${where} states the default ${text}: a value a user can override belongs in DEFAULTS`).toContain(text);
    }
  });

  it('include every entry of DEFAULTS', () => {
    const keys = new Set(stated.flatMap(({ key }) => (key !== undefined && key in DEFAULTS ? [key] : [])));
    expect([...keys].sort()).toEqual(Object.keys(DEFAULTS).sort());
  });

  it('are all the defaults the rendered --help of every command shows', async () => {
    const known = new Set(stated.map(({ text }) => text));
    let seen = 0;
    for (const args of [[], ...[...commands.keys()].map((name) => [name])]) {
      const run = await runInProcess([...args, '--help']);
      expect(run.code, run.all).toBe(0);
      const rendered = [...run.stdout.replace(/\s+/g, ' ').matchAll(/\(default:? ([^)]*)\)/g)].map((m) => m[1]!.replace(/^"(.*)"$/, '$1'));
      for (const text of rendered) expect(known, `hokus-check ${args.join(' ')} --help states (default ${text})`).toContain(text);
      seen += rendered.length;
    }
    expect(seen).toBeGreaterThan(20);
  });
});

describe('the flag names', () => {
  it('are config/fields.ts FIELDS for every setting, in every command that takes it (check takes all)', () => {
    for (const [field, { flag }] of Object.entries(FIELDS)) {
      expect(command('check').options.find((o) => o.attributeName() === field)?.long, field).toBe(flag);
      for (const cmd of program.commands) {
        const option = cmd.options.find((o) => o.attributeName() === field || o.long === flag);
        if (option) expect([option.long, option.attributeName()], `${cmd.name()} ${field}`).toEqual([flag, field]);
      }
    }
  });

  it('of the command lines printed for the user are flags of the command they run', () => {
    const targets: TargetFlagsOf[] = [
      {
        name: 'default',
        kind: 'hokusai',
        registryUrl: 'https://registry.example.com',
        authUrl: 'https://auth.example.com',
        mlflowPath: '/mlflow',
        mlflowDirectUrl: 'http://mlflow.internal:5000',
        serviceId: 'svc',
        apiKeyEnv: 'MY_KEY',
        clientCert: { path: 'client.pem', keyPath: 'client.key' },
      },
      { name: 'default', kind: 'mlflow', mlflowUrl: 'http://mlflow.example.com', mlflowPath: '', serviceId: DEFAULTS.serviceId },
      { name: 'prod', kind: 'hokusai', mlflowPath: DEFAULTS.mlflowPath, serviceId: DEFAULTS.serviceId },
    ];
    const longs = (name: string) => command(name).options.map((o) => o.long);
    const flagsOf = (line: string) => line.split(' ').filter((word) => word.startsWith('--'));
    const printed = {
      check: targets.flatMap((t) => flagsOf(confirmCommand(t, 'auth'))),
      sweep: targets.flatMap((t) => flagsOf(sweepCommand(t, 'abcdefabcdef'))),
    };
    expect(printed.check).toEqual(expect.arrayContaining(['--env', '--mlflow-url', '--client-key', '--only']));
    for (const [name, flags] of Object.entries(printed)) for (const flag of flags) expect(longs(name), `${name} ${flag}`).toContain(flag);
  });

  it("that argv-guard.ts reads before commander are the commands' own", () => {
    const guard = readFileSync(new URL('../../src/argv-guard.ts', import.meta.url), 'utf8');
    expect(guard).toContain(`'${FIELDS.apiKeyEnv.flag}'`);
    expect(guard).toContain("'--key'");
    expect(command('sim').options.map((o) => o.long)).toContain('--key');
  });
});
