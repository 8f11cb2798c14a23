// The last pass every writer's bytes go through, terminal, CI log and report files alike: the key
// redacted in all its forms (src/http/redact.ts), controls shown escaped (src/http/inert.ts), and no
// workflow command — GitHub Actions obeys `##[command]` anywhere in a line of stdout/stderr and `::`
// at the start of one (the rule and its sources: src/http/redact.ts, defuseCommands). Every format is
// defused, JSON and XML losslessly (escaped), since each may be written to stdout (`--json -`). Only
// the annotation writer (src/report/github.ts) emits commands, on purpose, and its text is defused too.
import { inertBlock, inertLine } from '../http/inert.js';
import { defuseCommands, type Redactor } from '../http/redact.js';
import type { Io } from '../io.js';

export interface SafeTextOptions {
  /** Keep SGR colour sequences (ESC [ … m): the terminal renderer's own, when colour is on. */
  keepColour?: boolean;
  /** How the text is read: controls are escaped so that a JSON or XML file stays valid. */
  format?: 'text' | 'json' | 'xml';
}

// The renderer's colours: SGR only. Server text had its ESC escaped when it entered.
const SGR = /(\u001b\[[0-9;]*m)/;

/** Redacts, escapes controls, and defuses the workflow commands of one whole text. */
export function safeText(text: string, redact: Redactor, opts: SafeTextOptions = {}): string {
  if (opts.format === 'json')
    return defuseCommands(
      redact(text).replace(JSON_UNSAFE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`),
      'json',
    );
  // '<redacted>' is what the redactor puts for a short credential: in XML it must be escaped.
  if (opts.format === 'xml') return defuseCommands(inertBlock(redact(text)).replaceAll('<redacted>', '&lt;redacted&gt;'), 'xml');
  const redacted = redact(text);
  const inert =
    opts.keepColour && redacted.includes('\u001b')
      ? redacted
          .split(SGR)
          .map((part, i) => (i % 2 === 1 ? part : inertBlock(part)))
          .join('')
      : inertBlock(redacted);
  return defuseCommands(inert);
}

// Raw in a JSON text only inside strings (JSON.stringify escapes C0 itself): C1, bidi, LS/PS.
const JSON_UNSAFE = /[\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/**
 * The report every writer renders, made safe once: each string redacted again and inert — single-line
 * (newlines shown as `\n`) except body excerpts, which keep their lines.
 */
export function safeReport<T>(report: T, redact: Redactor): T {
  const walk = (value: unknown, key: string | undefined): unknown => {
    if (typeof value === 'string') return key === 'bodyExcerpt' ? inertBlock(redact(value)) : inertLine(redact(value));
    if (Array.isArray(value)) return value.map((v) => walk(v, key));
    if (value !== null && typeof value === 'object') {
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, walk(v, k)]));
    }
    return value;
  };
  return walk(report, undefined) as T;
}

/** The rule itself lives beside the redactor (src/http/redact.ts), where src/argv-guard.ts can use it too. */
export { defuseCommands };

/**
 * The Io every command writes through once the key is known: each out/err write gets the last pass.
 * Writes are whole lines or whole reports, so a key or a `::` is never split across two writes.
 */
export function safeIo(io: Io, redact: Redactor): Io {
  const pass = (text: string, colour: boolean) => safeText(text, redact, { keepColour: colour });
  return {
    ...io,
    out: (t) => io.out(pass(t, io.color)),
    err: (t) => io.err(pass(t, io.color)),
  };
}
