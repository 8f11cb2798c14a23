// ARCHITECTURE.md, enforced. The code map: every import of every file under src/ is read, and an
// import the map does not allow fails with the file, the import and the rule it breaks; a new folder
// fails too, until it has a place in the map (here and in ARCHITECTURE.md), and the document's own
// headings, "May import" lists and paths must agree with the code. Then the invariants the document
// states that can be read from the source, and the comments: every file a comment names exists in the
// repository. Each check is a function over source texts, and each is also handed a made-up source it
// must reject (the last block): a check that cannot fail proves nothing. Files are read, never run.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { STEP_IDS } from '../../src/steps/types.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const SRC = join(ROOT, 'src');

/**
 * Area → the areas it may import (besides itself). An area is a folder of src/, or a module at the
 * top of src/. `steps/types` is the check's vocabulary (Target, StepId, StepResult): the one file of
 * steps/ that config, diagnosis and report may read.
 */
const MAY_IMPORT: Record<string, readonly string[]> = {
  cli: ['argv-guard', 'cli-flags', 'commands', 'config', 'exit-codes', 'exporter/limits', 'factory', 'fatal', 'io'],
  'cli-flags': ['config'],
  'argv-guard': ['http'],
  factory: ['http', 'io'],
  fatal: ['config', 'exit-codes'],
  io: [],
  'exit-codes': [],
  commands: [
    'cli-flags',
    'config',
    'diagnosis',
    'exit-codes',
    'exporter',
    'factory',
    'fatal',
    'http',
    'io',
    'mlflow',
    'report',
    'sim',
    'steps',
  ],
  // The exporter runs the check per scrape: with the same key resolution and HTTP settings as `check`.
  exporter: ['commands/check-one', 'commands/http-settings', 'commands/keys', 'config', 'factory', 'http', 'report', 'steps'],
  config: ['steps/types'],
  http: [],
  mlflow: ['http'],
  diagnosis: ['config/target-flags', 'http', 'mlflow', 'steps/types', 'steps/labels', 'steps/progress-text'],
  steps: ['diagnosis', 'http', 'mlflow'],
  report: ['config/defaults', 'config/target-flags', 'diagnosis', 'exit-codes', 'http', 'io', 'steps/types'],
  sim: [],
};

/** The only modules outside sim/ that may start the embedded stack. */
const SIM_USERS = ['commands/demo.ts', 'commands/sim.ts'];

// ── Reading the source ──────────────────────────────────────────────────────────────────────────

/** A file of the repository: its path from the root ('src/steps/auth.ts') and its text. */
interface Source {
  path: string;
  text: string;
}

interface Lexed {
  /** The code with its comments blanked (string literals kept: import specifiers live there). */
  code: string;
  /** The code with its comments and every literal (strings, templates, regular expressions) blanked. */
  bare: string;
  /** Every comment, with the line it starts on. */
  comments: Array<{ line: number; text: string }>;
  /** The value of every plain string literal. */
  strings: string[];
}

const K = ts.SyntaxKind;
/** After these a `/` divides; after anything else it starts a regular expression. */
const ENDS_OPERAND = new Set<ts.SyntaxKind>([
  K.Identifier,
  K.PrivateIdentifier,
  K.NumericLiteral,
  K.BigIntLiteral,
  K.StringLiteral,
  K.NoSubstitutionTemplateLiteral,
  K.TemplateTail,
  K.RegularExpressionLiteral,
  K.CloseParenToken,
  K.CloseBracketToken,
  K.PlusPlusToken,
  K.MinusMinusToken,
  K.ThisKeyword,
  K.SuperKeyword,
  K.NullKeyword,
  K.TrueKeyword,
  K.FalseKeyword,
]);
const LITERALS = new Set<ts.SyntaxKind>([
  K.StringLiteral,
  K.NoSubstitutionTemplateLiteral,
  K.TemplateHead,
  K.TemplateMiddle,
  K.TemplateTail,
  K.RegularExpressionLiteral,
]);

/** TypeScript's own scanner over the text: comments, literals and code apart, without a parse. */
function lex(text: string): Lexed {
  const scanner = ts.createScanner(ts.ScriptTarget.Latest, false, ts.LanguageVariant.Standard, text);
  const out: Lexed = { code: '', bare: '', comments: [], strings: [] };
  const braces: boolean[] = []; // per open brace: whether it opened a template's ${
  let previous: ts.SyntaxKind = K.Unknown;
  for (let kind = scanner.scan(); kind !== K.EndOfFileToken; kind = scanner.scan()) {
    if ((kind === K.SlashToken || kind === K.SlashEqualsToken) && !ENDS_OPERAND.has(previous)) kind = scanner.reScanSlashToken();
    if (kind === K.OpenBraceToken) braces.push(false);
    else if (kind === K.TemplateHead) braces.push(true);
    else if (kind === K.CloseBraceToken && braces.pop() === true) {
      kind = scanner.reScanTemplateToken(false);
      if (kind === K.TemplateMiddle) braces.push(true);
    }
    const token = scanner.getTokenText();
    if (kind === K.SingleLineCommentTrivia || kind === K.MultiLineCommentTrivia) {
      out.comments.push({ line: text.slice(0, scanner.getTokenStart()).split('\n').length, text: token });
      out.code += ' ';
      out.bare += ' ';
      continue;
    }
    out.code += token;
    out.bare += LITERALS.has(kind) ? '""' : token;
    if (kind === K.StringLiteral || kind === K.NoSubstitutionTemplateLiteral) out.strings.push(scanner.getTokenValue());
    if (kind !== K.WhitespaceTrivia && kind !== K.NewLineTrivia) previous = kind;
  }
  return out;
}

const lexed = new WeakMap<Source, Lexed>();
function lexOf(s: Source): Lexed {
  let l = lexed.get(s);
  if (!l) lexed.set(s, (l = lex(s.text)));
  return l;
}

function filesUnder(dir: string, keep: (path: string) => boolean): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (['node_modules', 'dist', 'coverage', 'fixtures'].includes(name)) return [];
    return statSync(path).isDirectory() ? filesUnder(path, keep) : keep(path) ? [path] : [];
  });
}

function read(path: string): Source {
  return { path: relative(ROOT, path), text: readFileSync(path, 'utf8') };
}

/** Every module of src/. */
const srcSources = filesUnder(SRC, (p) => p.endsWith('.ts')).map(read);
/** Every file of code in the repository (src, test, bench, scripts, bin and the root's configs), fixtures aside. */
const codeSources = [
  ...srcSources,
  ...['test', 'bench', 'scripts', 'bin'].flatMap((d) => filesUnder(join(ROOT, d), (p) => /\.(ts|mjs|js|sh)$/.test(p))).map(read),
  ...readdirSync(ROOT)
    .filter((n) => /\.(ts|mjs|js)$/.test(n))
    .map((n) => read(join(ROOT, n))),
];

interface Import {
  /** Importer and imported module, relative to src/ ('steps/health.ts'). */
  file: string;
  spec: string;
  target: string;
  /** `import type`, or every name imported as a type: nothing of it is loaded at run time. */
  typeOnly: boolean;
  /** `import('…')`: loaded when the code runs, not with the module. */
  dynamic: boolean;
}

const IMPORT =
  /(?:^|[\n;])\s*(?:import|export)\s+(type\s+)?([^;'"]*?)\s*from\s*['"]([^'"]+)['"]|\bimport\(\s*['"]([^'"]+)['"]\s*\)|(?:^|[\n;])\s*import\s*['"]([^'"]+)['"]/g;

/** Static, re-export and dynamic imports of relative modules of a file of src/. */
function importsOf(s: Source): Import[] {
  const file = relative('src', s.path);
  const out: Import[] = [];
  for (const m of lexOf(s).code.matchAll(IMPORT)) {
    const spec = m[3] ?? m[4] ?? m[5];
    if (spec === undefined || !spec.startsWith('.')) continue;
    const clause = (m[2] ?? '').trim();
    const named = /^\{([\s\S]*)\}$/
      .exec(clause)?.[1]
      ?.split(',')
      .map((n) => n.trim())
      .filter(Boolean);
    const typeOnly = m[1] !== undefined || (named !== undefined && named.length > 0 && named.every((n) => n.startsWith('type ')));
    const target = relative(SRC, resolve(SRC, dirname(file), spec)).replace(/\.js$/, '.ts');
    out.push({ file, spec, target, typeOnly, dynamic: m[4] !== undefined });
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

/** A file of src/ by its path under src/ ('steps/' → 'steps/…'). */
const inSrc = (s: Source) => relative('src', s.path);
const under = (s: Source, folder: string) => inSrc(s).startsWith(folder);

// ── The import map ──────────────────────────────────────────────────────────────────────────────

function crossMapImports(imports: readonly Import[]): string[] {
  return imports
    .filter((i) => areaOf(i.file) !== areaOf(i.target))
    .filter((i) => !allowed(MAY_IMPORT[areaOf(i.file)] ?? [], i.target))
    .map(
      (i) =>
        `${i.file} imports ${i.spec} (${areaOf(i.file)} may import: ${(MAY_IMPORT[areaOf(i.file)] ?? []).join(', ') || 'nothing outside itself'})`,
    );
}

function simImporters(imports: readonly Import[]): string[] {
  const users = imports.filter((i) => areaOf(i.target) === 'sim' && areaOf(i.file) !== 'sim').map((i) => i.file);
  return [...new Set(users)].filter((f) => !SIM_USERS.includes(f));
}

/** The command modules: those cli.ts imports from commands/ (the rest of commands/ is shared). */
function commandModules(imports: readonly Import[]): string[] {
  return [...new Set(imports.filter((i) => i.file === 'cli.ts' && i.target.startsWith('commands/')).map((i) => i.target))].sort();
}

/** A command imported by anything but cli.ts, or by cli.ts before its command runs. */
function commandImports(imports: readonly Import[]): string[] {
  const commands = new Set(commandModules(imports));
  return imports
    .filter((i) => commands.has(i.target) && (i.file !== 'cli.ts' || !i.dynamic))
    .map((i) =>
      i.file === 'cli.ts' ? `cli.ts imports ${i.spec} with the CLI, not when the command runs` : `${i.file} imports the command ${i.spec}`,
    );
}

// ── Invariants read from the code ───────────────────────────────────────────────────────────────

/** `process` (any use: process.env, process.stdout, globalThis.process, node:process) outside cli.ts and io.ts. */
function processUsers(sources: readonly Source[]): string[] {
  return sources
    .filter((s) => s.path.startsWith('src/') && !['src/cli.ts', 'src/io.ts'].includes(s.path))
    .filter((s) => /\bprocess\b/.test(lexOf(s).bare) || /\bfrom\s*['"](?:node:)?process['"]/.test(lexOf(s).code))
    .map((s) => s.path);
}

/** process.exit anywhere in src/ or bin/ but the binary's one line. */
function processExits(sources: readonly Source[]): string[] {
  return sources
    .filter((s) => /^(src|bin)\//.test(s.path) && s.path !== 'bin/hokus-check.js')
    .filter((s) => /\bprocess\s*\.\s*exit\b/.test(lexOf(s).bare))
    .map((s) => s.path);
}

/** console.* in src/: everything printed goes through an Io. */
function consoleUsers(sources: readonly Source[]): string[] {
  return sources.filter((s) => s.path.startsWith('src/') && /\bconsole\b/.test(lexOf(s).bare)).map((s) => s.path);
}

/** A step that could print: it imports the terminal, a reporter or a command, or touches console or process. */
function printingSteps(sources: readonly Source[]): string[] {
  return sources
    .filter((s) => under(s, 'steps/'))
    .flatMap((s) => [
      ...importsOf(s)
        .filter((i) => i.target === 'io.ts' || /^(report|commands)\//.test(i.target))
        .map((i) => `${i.file} imports ${i.spec}`),
      ...(/\b(console|process)\b/.test(lexOf(s).bare) ? [`${inSrc(s)} touches console or process`] : []),
    ]);
}

/** What would make the diagnosis impure: I/O, a clock, a timer, randomness, a request. */
const IMPURE =
  /\bDate\s*\.\s*now\b|\bnew\s+Date\s*\(\s*\)|\bperformance\b|\bMath\s*\.\s*random\b|\b(?:setTimeout|setInterval|setImmediate|queueMicrotask|fetch)\b|\.send\s*\(/;

/** diagnosis/ outside probes/: no module from outside the repository (node:fs, …) and nothing IMPURE. */
function impureDiagnosis(sources: readonly Source[]): string[] {
  return sources
    .filter((s) => under(s, 'diagnosis/') && !under(s, 'diagnosis/probes/'))
    .flatMap((s) => {
      const packages = [...lexOf(s).code.matchAll(IMPORT)]
        .filter((m) => m[1] === undefined && !/^\{\s*type\s/.test(m[2] ?? ''))
        .map((m) => m[3] ?? m[4] ?? m[5] ?? '.')
        .filter((spec) => !spec.startsWith('.'));
      const impure = IMPURE.exec(lexOf(s).bare)?.[0];
      return [...packages.map((p) => `${inSrc(s)} imports ${p}`), ...(impure ? [`${inSrc(s)}: ${impure}`] : [])];
    });
}

/** Whoever sets a root-cause mark: only the engine (findings) and check-target (steps, from rootStepOf). */
function rootCauseWriters(sources: readonly Source[]): string[] {
  return sources
    .filter((s) => s.path.startsWith('src/') && !['src/diagnosis/engine.ts', 'src/steps/check-target.ts'].includes(s.path))
    .filter((s) => /\.rootCause\s*=(?!=)/.test(lexOf(s).bare))
    .map((s) => s.path);
}

/** A module of report/ besides report/build.ts and report/exit-code.ts that sees a check rather than report v1. */
function reportersOverChecks(sources: readonly Source[]): string[] {
  return sources
    .filter((s) => under(s, 'report/') && !['report/build.ts', 'report/exit-code.ts'].includes(inSrc(s)))
    .flatMap((s) => {
      const names = lexOf(s).bare.match(/\b(?:CheckResult|StepResult|Evidence|Exchange)\b/g) ?? [];
      const engines = importsOf(s).filter((i) => ['steps/check-target.ts', 'diagnosis/engine.ts'].includes(i.target));
      return [...new Set(names)].map((n) => `${inSrc(s)} names ${n}`).concat(engines.map((i) => `${i.file} imports ${i.spec}`));
    });
}

/** cli-flags.ts loaded with the CLI (it loads commander) or by anything but cli.ts: the others import its types only. */
function cliFlagsLoaders(imports: readonly Import[]): string[] {
  return imports
    .filter((i) => i.target === 'cli-flags.ts' && !i.typeOnly && !(i.file === 'cli.ts' && i.dynamic))
    .map((i) => `${i.file} imports ${i.spec} at run time${i.file === 'cli.ts' ? ' with the CLI, not inside runCli' : ''}`);
}

/** A module that loads the zod model of report v1 at run time, other than `hokus-check schema`. */
function zodModelLoaders(imports: readonly Import[]): string[] {
  return imports.filter((i) => i.target === 'report/schema.ts' && !i.typeOnly && i.file !== 'commands/schema.ts').map((i) => i.file);
}

/** Writes files: outside sim/, only report/write.ts, sweep (its --json) and init (the example config). */
const WRITES =
  /\b(?:writeFile|writeFileSync|appendFile|appendFileSync|createWriteStream|mkdir|mkdirSync|mkdtemp|mkdtempSync|rename|renameSync|rm|rmSync|unlink|unlinkSync|copyFile|copyFileSync|truncate|truncateSync)\s*\(/;
const WRITERS = ['report/write.ts', 'commands/sweep.ts', 'commands/init.ts'];

function fileWriters(sources: readonly Source[]): string[] {
  return sources
    .filter((s) => s.path.startsWith('src/') && !under(s, 'sim/') && !WRITERS.includes(inSrc(s)))
    .filter((s) => WRITES.test(lexOf(s).bare))
    .map((s) => s.path);
}

/** A step id written into http/ or mlflow/: they know nothing of steps, a call carries the step its caller names. */

function stepIdsBelowSteps(sources: readonly Source[]): string[] {
  const ids = new Set<string>(STEP_IDS);
  return sources
    .filter((s) => under(s, 'http/') || under(s, 'mlflow/'))
    .flatMap((s) => [...new Set(lexOf(s).strings.filter((v) => ids.has(v)))].map((v) => `${inSrc(s)} names the step '${v}'`));
}

// ── ARCHITECTURE.md ─────────────────────────────────────────────────────────────────────────────

interface Section {
  heading: string;
  /** The folder a code-map heading names ('src/commands/'); 'src/' for the top-level modules; '' elsewhere. */
  folder: string;
  codeMap: boolean;
  text: string;
}

function sectionsOf(doc: string): Section[] {
  const out: Section[] = [];
  let codeMap = false;
  for (const line of doc.split('\n')) {
    if (/^##\s/.test(line)) codeMap = /^##\s+Code map\b/.test(line);
    if (/^#{1,3}\s/.test(line)) {
      const ticks = backticked(line);
      const folder = !codeMap || !/^###\s/.test(line) ? '' : ticks.length === 1 && ticks[0]!.endsWith('/') ? ticks[0]! : 'src/';
      out.push({ heading: line, folder, codeMap: codeMap && /^###\s/.test(line), text: '' });
    } else if (out.length > 0) out[out.length - 1]!.text += `${line}\n`;
  }
  return out;
}

function backticked(text: string): string[] {
  return [...text.matchAll(/`([^`\n]+)`/g)].map((m) => m[1]!);
}

/** 'src/commands/' → 'commands', 'src/steps/types.ts' → 'steps/types', 'cli.ts' → 'cli'. */
function asArea(name: string): string {
  return name
    .replace(/^src\//, '')
    .replace(/\/$/, '')
    .replace(/\.ts$/, '');
}

/** The areas the code map's headings name, against the areas of src/ and of MAY_IMPORT. */
function codeMapHeadingProblems(doc: string, areas: readonly string[]): string[] {
  const named = sectionsOf(doc)
    .filter((s) => s.codeMap)
    .flatMap((s) => backticked(s.heading))
    .map(asArea);
  return [
    ...areas.filter((a) => !named.includes(a)).map((a) => `src/${a}: no heading in the code map`),
    ...named.filter((a) => !areas.includes(a)).map((a) => `the code map names src/${a}, which is not an area of src/`),
  ];
}

/** Each code-map section's "May import" paragraph, parsed into area → allowed areas. */
function mayImportOf(doc: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const section of sectionsOf(doc).filter((s) => s.codeMap)) {
    const paragraph = /^May import:([\s\S]*?)(?:\n\s*\n|(?![\s\S]))/m.exec(section.text)?.[1];
    if (paragraph === undefined) continue;
    const plain = paragraph.replace(/\([^()]*\)/g, '');
    if (plain.includes('→')) {
      for (const part of plain.split(';')) {
        const [left = '', right = ''] = part.split('→');
        for (const area of backticked(left)) out.set(asArea(area), backticked(right).map(asArea));
      }
    } else for (const area of backticked(section.heading)) out.set(asArea(area), backticked(plain).map(asArea));
  }
  return out;
}

function mayImportProblems(doc: string, map: Readonly<Record<string, readonly string[]>>): string[] {
  const documented = mayImportOf(doc);
  return [...new Set([...Object.keys(map), ...documented.keys()])].flatMap((area) => {
    const here = [...(map[area] ?? [])].sort();
    const there = [...(documented.get(area) ?? [])].sort();
    if (!(area in map)) return [`ARCHITECTURE.md lists what ${area} may import; MAY_IMPORT has no ${area}`];
    if (!documented.has(area)) return [`ARCHITECTURE.md has no "May import" for ${area}`];
    return here.join() === there.join() ? [] : [`${area} may import: [${here.join(', ')}] here, [${there.join(', ')}] in ARCHITECTURE.md`];
  });
}

const PATH_LIKE = /^[\w.@-]+(?:\/[\w.@*-]+)*\/?$/;
const CHECKED_EXTENSION = /\.(?:ts|mjs|js|md|json|jsonl|sh)$/;

/** Names of files that are not this repository's on purpose. */
const NOT_OURS: Readonly<Record<string, string>> = {
  'hokus-check.config.json': "the user's config file: the name hokus-check looks for",
  './hokus-check.config.json': 'the same, in the working directory',
  'report.json': "the file name of a part of --post-report's form",
  'sites.json': 'the file test/helpers/real-proxy.ts writes for the Node gateway',
  'HARFormat.ts': "Chrome devtools' source",
  'summary.md': 'a file the leak tests write (test/helpers/every-output.ts)',
};

/** Files the code writes and .gitignore keeps out of a clone (bench/results.json): named, never committed. */
const GENERATED = new Set(
  readFileSync(join(ROOT, '.gitignore'), 'utf8')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => /^[\w./-]+\.\w+$/.test(l) && l.includes('/')),
);

/**
 * Whether `path` (absolute) exists inside the repository — as a clone has it, so a file .gitignore
 * names counts as its generated self, whether or not this machine made it; a `*` in its last part
 * matches any name.
 */
function existsInRepo(path: string): boolean {
  if (relative(ROOT, path).startsWith('..')) return false;
  if (GENERATED.has(relative(ROOT, path))) return true;
  if (!basename(path).includes('*')) return existsSync(path);
  const pattern = new RegExp(
    `^${basename(path)
      .replace(/[.+?^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '.*')}$`,
  );
  return existsSync(dirname(path)) && readdirSync(dirname(path)).some((n) => pattern.test(n));
}

/** Every path ARCHITECTURE.md names in backticks, from the root, from src/, or from its section's folder. */
function docPathProblems(doc: string): string[] {
  return sectionsOf(doc).flatMap((s) =>
    [...backticked(s.heading), ...backticked(s.text)]
      .filter((t) => PATH_LIKE.test(t) && (t.includes('/') || CHECKED_EXTENSION.test(t)) && !(t in NOT_OURS))
      .filter((t) => ![ROOT, SRC, join(ROOT, s.folder)].some((base) => existsInRepo(join(base, t))))
      .map((t) => `${s.heading.replace(/^#+\s*/, '')}: ${t} does not exist`),
  );
}

/** "one module per step (`auth`, …)": each is a module of the section's folder; commands and steps are all of them. */
function moduleListProblems(doc: string, commands: readonly string[]): string[] {
  const expected: Record<string, readonly string[]> = { command: commands, step: STEP_IDS };
  return sectionsOf(doc).flatMap((s) =>
    [...s.text.replace(/\s+/g, ' ').matchAll(/one module per (\w+) \(([^)]*)\)/gi)].flatMap((m) => {
      const kind = m[1]!.toLowerCase();
      const names = backticked(m[2]!);
      const missing = names.filter((n) => !existsSync(join(ROOT, s.folder, `${n}.ts`))).map((n) => `${s.folder}${n}.ts does not exist`);
      const all = expected[kind];
      const differ =
        all !== undefined && [...all].sort().join() !== [...names].sort().join()
          ? [`one module per ${kind}: [${names.join(', ')}] in ARCHITECTURE.md, [${all.join(', ')}] in the code`]
          : [];
      return [...missing, ...differ];
    }),
  );
}

// ── Comments ────────────────────────────────────────────────────────────────────────────────────

function commentsOf(s: Source): Array<{ line: number; text: string }> {
  if (!s.path.endsWith('.sh')) return lexOf(s).comments;
  return s.text
    .split('\n')
    .map((text, i) => ({ line: i + 1, text }))
    .filter((c) => /^\s*#(?!!)/.test(c.text));
}

/** A path into one of the repository's folders: checked unless it names another language's file (another project's). */
const REPO_FOLDER = /^(?:\.{1,2}\/)*(?:src|test|bench|scripts|bin|examples|fixtures)\//;
const PATH_REF = /(?<![\w./@:-])((?:\.{1,2}\/)*[\w@*.-]+(?:\/[\w@*.-]+)*\/?)(?![\w/-])/g;

/**
 * Where a comment's path may be read from: the root, src/, test/, an installed package
 * ('undici/lib/…'), the file's folder and those above it, and for a test its helpers and the folder
 * of src/ it mirrors.
 */
function basesFor(path: string): string[] {
  const bases = [ROOT, SRC, join(ROOT, 'test'), join(ROOT, 'node_modules')];
  for (let dir = dirname(path); dir !== '.'; dir = dirname(dir)) bases.push(join(ROOT, dir));
  const mirrored = /^test\/unit\/(.+)$/.exec(dirname(path))?.[1];
  if (mirrored) for (let dir = mirrored; dir !== '.'; dir = dirname(dir)) bases.push(join(SRC, dir));
  if (path.startsWith('test/')) bases.push(join(ROOT, 'test', 'helpers'));
  return bases;
}

/** Every file or folder of this repository a comment names (`src/…`, `test/…`, `*.ts`, `*.md`, …) exists. */
function commentPathProblems(sources: readonly Source[]): string[] {
  return sources.flatMap((s) =>
    commentsOf(s).flatMap((c) =>
      [...c.text.matchAll(PATH_REF)]
        .map((m) => m[1]!.replace(/\.+$/, ''))
        .filter((t) => CHECKED_EXTENSION.test(t) || (REPO_FOLDER.test(t) && !/\.[a-z]+$/i.test(t)))
        .filter((t) => !(t in NOT_OURS) && !basesFor(s.path).some((base) => existsInRepo(join(base, t))))
        .map((t) => `${s.path}:${c.line}: ${t}`),
    ),
  );
}

/** What a clone does not have: the sibling shared folder, design notes outside the repository, an issue or incident by number. */
const ELSEWHERE = /\.\.\/shared\b|\bthe brief\b|\b(?:issue|incident)s?\s+#?\d+|\b(?:PLATFORM|DESIGN|SITUATIONS|STYLE)\.md\b/i;

function citationProblems(sources: readonly Source[]): string[] {
  return sources.flatMap((s) =>
    commentsOf(s)
      .filter((c) => ELSEWHERE.test(c.text))
      .map((c) => `${s.path}:${c.line}: ${ELSEWHERE.exec(c.text)![0]}`),
  );
}

/** `README "Exit codes"`, `ARCHITECTURE.md, "Code map"`: the section a comment names exists in that document. */
function sectionReferenceProblems(sources: readonly Source[], docs: Readonly<Record<string, string>>): string[] {
  const headings = Object.fromEntries(
    Object.entries(docs).map(([name, text]) => [
      name,
      text
        .split('\n')
        .filter((l) => /^#+\s/.test(l))
        .map((l) => l.replace(/[#`]/g, '').trim().toLowerCase()),
    ]),
  );
  return sources.flatMap((s) =>
    commentsOf(s).flatMap((c) =>
      [...c.text.matchAll(/\b(README|ARCHITECTURE)(?:\.md)?(?:'s)?,?\s*\(?\s*"([^"]+)"/g)]
        .filter((m) => !(headings[m[1]!] ?? []).some((h) => h.includes(m[2]!.toLowerCase())))
        .map((m) => `${s.path}:${c.line}: ${m[1]} has no section "${m[2]}"`),
    ),
  );
}

// ── The checks, over this repository ────────────────────────────────────────────────────────────

const imports = srcSources.flatMap(importsOf);
const areas = [...new Set(srcSources.map((s) => areaOf(inSrc(s))))].sort();
const DOC = readFileSync(join(ROOT, 'ARCHITECTURE.md'), 'utf8');
const README = readFileSync(join(ROOT, 'README.md'), 'utf8');

describe('the code map (ARCHITECTURE.md)', () => {
  it('reads the imports of every source file', () => {
    expect(srcSources.length).toBeGreaterThan(100);
    expect(imports.length).toBeGreaterThan(300);
  });

  it('places every file of src/ in an area of the map', () => {
    const unplaced = areas.filter((a) => !(a in MAY_IMPORT));
    expect(unplaced, 'new folder or top-level module: give it a place in ARCHITECTURE.md and in MAY_IMPORT').toEqual([]);
  });

  it('has no import that crosses the map', () => {
    expect(crossMapImports(imports)).toEqual([]);
  });

  it('names every folder and top-level module of src/ under a heading, and nothing else', () => {
    expect(codeMapHeadingProblems(DOC, areas)).toEqual([]);
  });

  it('says what each area may import exactly as MAY_IMPORT does', () => {
    expect(mayImportProblems(DOC, MAY_IMPORT)).toEqual([]);
  });

  it('names only paths that exist', () => {
    expect(docPathProblems(DOC)).toEqual([]);
  });

  it('lists the commands, steps and formats that have a module each', () => {
    expect(
      moduleListProblems(
        DOC,
        commandModules(imports).map((m) => basename(m, '.ts')),
      ),
    ).toEqual([]);
  });
});

describe('the invariants ARCHITECTURE.md states', () => {
  it('lets nothing outside sim/ import sim/, except the demo and sim commands', () => {
    expect(simImporters(imports)).toEqual([]);
  });

  it('a command never imports another command: only cli.ts imports a command module, when that command runs', () => {
    expect(commandModules(imports).length).toBeGreaterThanOrEqual(8);
    expect(commandImports(imports)).toEqual([]);
  });

  it('keeps process in cli.ts and io.ts: config, steps, diagnosis, http and report never touch it', () => {
    expect(processUsers(srcSources)).toEqual([]);
  });

  it('ends the process only in bin/hokus-check.js', () => {
    expect(processExits(codeSources)).toEqual([]);
    expect(lexOf(codeSources.find((s) => s.path === 'bin/hokus-check.js')!).bare).toMatch(/process\.exit\(/);
  });

  it('prints only through an Io: no console anywhere in src/', () => {
    expect(consoleUsers(srcSources)).toEqual([]);
  });

  it('steps never print: no Io, reporter or command, no console, no process', () => {
    expect(printingSteps(srcSources)).toEqual([]);
  });

  it('keeps the diagnosis pure outside probes/: no I/O, clock, timer, randomness or request', () => {
    expect(impureDiagnosis(srcSources)).toEqual([]);
  });

  it('marks the root cause only in the diagnosis engine and check-target (from rootStepOf)', () => {
    expect(rootCauseWriters(srcSources)).toEqual([]);
  });

  it('reporters render report v1: only build.ts and exit-code.ts of report/ see a check', () => {
    expect(reportersOverChecks(srcSources)).toEqual([]);
  });

  it('loads the flag definitions (and commander) only inside runCli: the commands import their option types only', () => {
    expect(cliFlagsLoaders(imports)).toEqual([]);
  });

  it("loads report v1's zod model only for `hokus-check schema`", () => {
    expect(zodModelLoaders(imports)).toEqual([]);
  });

  it('writes files only in report/write.ts, sweep and init (and the simulator)', () => {
    expect(fileWriters(srcSources)).toEqual([]);
  });

  it('http/ and mlflow/ name no step (but the one exception the document names)', () => {
    expect(stepIdsBelowSteps(srcSources)).toEqual([]);
  });
});

describe('comments point inside the repository', () => {
  it('reads the comments of every file of code', () => {
    expect(codeSources.length).toBeGreaterThan(300);
    expect(codeSources.reduce((n, s) => n + commentsOf(s).length, 0)).toBeGreaterThan(2000);
  });

  it('every file a comment names exists in the repository', () => {
    expect(commentPathProblems(codeSources)).toEqual([]);
  });

  it('no comment cites what a clone does not have (../shared, the brief, PLATFORM.md, an issue by number)', () => {
    expect(citationProblems(codeSources)).toEqual([]);
  });

  it('every section of README.md or ARCHITECTURE.md a comment names exists', () => {
    expect(sectionReferenceProblems(codeSources, { README, ARCHITECTURE: DOC })).toEqual([]);
  });
});

describe('each check can fail', () => {
  const src = (path: string, text: string): Source => ({ path: `src/${path}`, text });

  it('catches a broken import', () => {
    expect(crossMapImports(importsOf(src('steps/health.ts', "import { renderTerminal } from '../report/terminal.js';")))).toHaveLength(1);
    expect(allowed(MAY_IMPORT.config!, 'steps/check-target.ts')).toBe(false);
    expect(allowed(MAY_IMPORT.config!, 'steps/types.ts')).toBe(true);
  });

  it('catches sim/ imported by a step, and a command imported by another', () => {
    expect(simImporters(importsOf(src('steps/run.ts', "import { startStack } from '../sim/stack.js';")))).toEqual(['steps/run.ts']);
    const cli = src('cli.ts', "const { checkCommand } = await import('./commands/check.js');");
    const demo = src('commands/demo.ts', "import { checkCommand } from './check.js';");
    expect(commandImports([cli, demo].flatMap(importsOf))).toEqual(['commands/demo.ts imports the command ./check.js']);
    expect(
      commandImports(importsOf(src('cli.ts', "import { checkCommand } from './commands/check.js';\nawait import('./commands/check.js');"))),
    ).toHaveLength(1);
  });

  it('catches process, process.exit and console where they do not belong, not their names in comments or strings', () => {
    expect(processUsers([src('steps/auth.ts', 'const home = process.env.HOME;')])).toHaveLength(1);
    expect(processUsers([src('config/load.ts', "import { env } from 'node:process';")])).toHaveLength(1);
    expect(
      processUsers([src('http/client.ts', "// process.env is never read here\nconst s = 'process.env'; const r = /process\\.env/;")]),
    ).toEqual([]);
    expect(processExits([src('commands/check.ts', 'process.exit(1);')])).toHaveLength(1);
    expect(consoleUsers([src('report/json.ts', 'console.log(report);')])).toHaveLength(1);
    expect(
      consoleUsers([src('diagnosis/rules/network.ts', 'const confirm = "node -e \\"require(\'dns\').lookup(\'h\', console.log)\\"";')]),
    ).toEqual([]);
    expect(printingSteps([src('steps/run.ts', "import type { Io } from '../io.js';")])).toHaveLength(1);
  });

  it('catches an impure rule, a stray root-cause mark, a reporter over checks, the zod model or the flags loaded, a writer, a step id in mlflow/', () => {
    expect(impureDiagnosis([src('diagnosis/rules/tls.ts', 'const now = Date.now();')])).toHaveLength(1);
    expect(impureDiagnosis([src('diagnosis/rules/tls.ts', "import { readFileSync } from 'node:fs';")])).toHaveLength(1);
    expect(impureDiagnosis([src('diagnosis/probes/tls-port.ts', 'await ctx.http.send(spec);')])).toEqual([]);
    expect(rootCauseWriters([src('report/build.ts', 'step.rootCause = true;')])).toHaveLength(1);
    expect(reportersOverChecks([src('report/junit.ts', "import type { CheckResult } from '../steps/types.js';")])).toHaveLength(1);
    expect(zodModelLoaders(importsOf(src('exporter/server.ts', "import { ReportSchema } from '../report/schema.js';")))).toHaveLength(1);
    expect(zodModelLoaders(importsOf(src('exporter/server.ts', "import type { Report } from '../report/schema.js';")))).toEqual([]);
    expect(cliFlagsLoaders(importsOf(src('commands/sweep.ts', "import { sweepFlags } from '../cli-flags.js';")))).toHaveLength(1);
    expect(cliFlagsLoaders(importsOf(src('cli.ts', "import { checkFlags } from './cli-flags.js';")))).toHaveLength(1);
    expect(cliFlagsLoaders(importsOf(src('commands/sweep.ts', "import type { SweepFlags } from '../cli-flags.js';")))).toEqual([]);
    expect(fileWriters([src('steps/artifact.ts', "writeFileSync('probe.bin', body);")])).toHaveLength(1);
    expect(stepIdsBelowSteps([src('mlflow/deletes.ts', "api.call({ step: 'cleanup', label: 'runs/delete' });")])).toHaveLength(1);
  });

  it('catches a document that names a missing folder, another import list, a missing path or module', () => {
    const doc = [
      '## Code map',
      '### `src/steps/`',
      'One module per step (`auth`, `health`).',
      '',
      'May import: `http/` (and `nowhere` in parentheses is prose).',
      '',
      'It runs `src/steps/nowhere.ts`.',
    ].join('\n');
    expect(codeMapHeadingProblems(doc, ['http', 'steps'])).toEqual(['src/http: no heading in the code map']);
    expect(mayImportProblems(doc, { steps: ['diagnosis', 'http', 'mlflow'] })).toHaveLength(1);
    expect(docPathProblems(doc)).toEqual(['`src/steps/`: src/steps/nowhere.ts does not exist']);
    expect(moduleListProblems(doc, [])).toHaveLength(1);
  });

  it('catches a comment that names a file the repository does not have, or cites what a clone lacks', () => {
    const fake = src(
      'commands/sweep.ts',
      "// see src/nowhere.ts and ../shared/fixtures/x.jsonl (issue 20)\nconst u = 'src/ok-in-a-string.ts';",
    );
    expect(commentPathProblems([fake])).toEqual([
      'src/commands/sweep.ts:1: src/nowhere.ts',
      'src/commands/sweep.ts:1: ../shared/fixtures/x.jsonl',
    ]);
    expect(citationProblems([fake])).toHaveLength(1);
    expect(sectionReferenceProblems([src('exit-codes.ts', '// README "Exit status"')], { README })).toHaveLength(1);
  });
});
