// The code map of ARCHITECTURE.md, enforced: every import of every file under src/ is read, and an
// import the map does not allow fails this test with the file, the import and the rule it breaks.
// A new folder fails too, until it has a place in the map (here and in ARCHITECTURE.md).
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const SRC = join(ROOT, 'src');

/**
 * Area → the areas it may import (besides itself). An area is a folder of src/, or a module at the
 * top of src/. `steps/types` is the check's vocabulary (Target, StepId, StepResult): the one file of
 * steps/ that config, diagnosis and report may read.
 */
const MAY_IMPORT: Record<string, readonly string[]> = {
  cli: ['argv-guard', 'commands', 'config', 'exit-codes', 'exporter/limits', 'factory', 'fatal', 'io'],
  'argv-guard': ['http'],
  factory: ['http', 'io'],
  fatal: ['config', 'exit-codes'],
  io: [],
  'exit-codes': [],
  commands: ['config', 'diagnosis', 'exit-codes', 'exporter', 'factory', 'fatal', 'http', 'io', 'mlflow', 'report', 'sim', 'steps'],
  // The exporter runs the check per scrape: with the same key resolution and HTTP settings as `check`.
  exporter: ['commands/http-settings', 'commands/keys', 'config', 'http', 'report', 'steps'],
  config: ['steps/types'],
  http: [],
  mlflow: ['http'],
  diagnosis: ['config/target-flags', 'http', 'mlflow', 'steps/types', 'steps/progress-text'],
  steps: ['diagnosis', 'http', 'mlflow'],
  report: ['config/defaults', 'config/target-flags', 'diagnosis', 'exit-codes', 'http', 'io', 'steps/types'],
  sim: [],
};

/** The only modules outside sim/ that may start the embedded stack. */
const SIM_USERS = ['commands/demo.ts', 'commands/sim.ts'];

interface Import {
  file: string;
  spec: string;
  target: string;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sourceFiles(path) : path.endsWith('.ts') ? [path] : [];
  });
}

/** Static, re-export and dynamic imports of relative modules, as paths relative to src/. */
function importsOf(file: string): Import[] {
  const text = readFileSync(file, 'utf8');
  const out: Import[] = [];
  const pattern =
    /(?:^|\n)\s*(?:import|export)\s[^;'"]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)|(?:^|\n)\s*import\s*['"]([^'"]+)['"]/g;
  for (const m of text.matchAll(pattern)) {
    const spec = m[1] ?? m[2] ?? m[3]!;
    if (!spec.startsWith('.')) continue;
    const target = relative(SRC, resolve(dirname(file), spec)).replace(/\.js$/, '.ts');
    out.push({ file: relative(SRC, file), spec, target });
  }
  return out;
}

/** 'steps/check-target.ts' → 'steps'; 'cli.ts' → 'cli'. */
function areaOf(path: string): string {
  const parts = path.split('/');
  return parts.length === 1 ? parts[0]!.replace(/\.ts$/, '') : parts[0]!;
}

/** Whether `to` is within one of the allowed entries ('steps' or 'steps/types'). */
function allowed(entries: readonly string[], to: string): boolean {
  return entries.some((e) => to === `${e}.ts` || to.startsWith(`${e}/`) || areaOf(to) === e);
}

const files = sourceFiles(SRC);
const imports = files.flatMap(importsOf);

describe('the code map (ARCHITECTURE.md)', () => {
  it('reads the imports of every source file', () => {
    expect(files.length).toBeGreaterThan(100);
    expect(imports.length).toBeGreaterThan(300);
  });

  it('places every file of src/ in an area of the map', () => {
    const unplaced = [...new Set(files.map((f) => areaOf(relative(SRC, f))))].filter((a) => !(a in MAY_IMPORT));
    expect(unplaced, 'new folder or top-level module: give it a place in ARCHITECTURE.md and in MAY_IMPORT').toEqual([]);
  });

  it('has no import that crosses the map', () => {
    const broken = imports
      .filter((i) => areaOf(i.file) !== areaOf(i.target))
      .filter((i) => !allowed(MAY_IMPORT[areaOf(i.file)] ?? [], i.target))
      .map(
        (i) =>
          `${i.file} imports ${i.spec} (${areaOf(i.file)} may import: ${(MAY_IMPORT[areaOf(i.file)] ?? []).join(', ') || 'nothing outside itself'})`,
      );
    expect(broken).toEqual([]);
  });

  it('lets nothing outside sim/ import sim/, except the demo and sim commands', () => {
    const users = imports.filter((i) => areaOf(i.target) === 'sim' && areaOf(i.file) !== 'sim').map((i) => i.file);
    expect([...new Set(users)].filter((f) => !SIM_USERS.includes(f))).toEqual([]);
  });

  it('keeps process.* in the CLI entry and the process Io: steps, diagnosis and reporters never read process.env', () => {
    const readers = files
      .filter((f) => !['cli.ts', 'io.ts'].includes(relative(SRC, f)))
      .filter((f) => /\bprocess\.(env|argv|exit|stdout|stderr|stdin|cwd|on)\b/.test(stripComments(readFileSync(f, 'utf8'))))
      .map((f) => relative(SRC, f));
    expect(readers).toEqual([]);
  });

  it('ends the process only in bin/: no process.exit anywhere in src/', () => {
    const exits = files.filter((f) => /\bprocess\.exit\(/.test(stripComments(readFileSync(f, 'utf8')))).map((f) => relative(SRC, f));
    expect(exits).toEqual([]);
  });

  it('catches a broken import (the check itself can fail)', () => {
    const fake: Import = { file: 'steps/health.ts', spec: '../report/terminal.js', target: 'report/terminal.ts' };
    expect(allowed(MAY_IMPORT[areaOf(fake.file)]!, fake.target)).toBe(false);
    expect(allowed(MAY_IMPORT.config!, 'steps/check-target.ts')).toBe(false);
    expect(allowed(MAY_IMPORT.config!, 'steps/types.ts')).toBe(true);
  });
});

function stripComments(text: string): string {
  return text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`])\/\/.*$/gm, '$1');
}
