// MLflow's search filter language, reduced to what searches here need: comparisons joined by AND
// (`name = 'x'`, `name LIKE 'hokus-check-%'`, `tags.\`hokus-check.id\` != ''`,
// `attributes.start_time < 1700000000000`, `run_id IN ('a', 'b')`). Each search resolves the
// identifiers against its own entities.
import { MlflowError } from './wire.js';

export interface Comparison {
  /** 'tags', 'attributes', 'params', 'metrics', or '' for a bare identifier. */
  entity: string;
  key: string;
  op: '=' | '!=' | '<' | '<=' | '>' | '>=' | 'LIKE' | 'ILIKE' | 'IN' | 'NOT IN';
  value: string | number | Array<string | number>;
}

/** Parses a filter string; '' means "everything". */
export function parseFilter(filter: string | undefined): Comparison[] {
  const text = (filter ?? '').trim();
  if (!text) return [];
  const tokens = tokenize(text);
  const out: Comparison[] = [];
  let i = 0;
  const next = (): Token => {
    const t = tokens[i++];
    if (!t) throw invalid(text);
    return t;
  };
  for (;;) {
    const ident = next();
    if (ident.kind !== 'ident') throw invalid(text);
    const [entity, key] = splitIdent(ident.text);
    let opTok = next();
    let op: Comparison['op'];
    if (opTok.kind === 'word' && opTok.text.toUpperCase() === 'NOT') {
      opTok = next();
      if (opTok.kind !== 'word' || opTok.text.toUpperCase() !== 'IN') throw invalid(text);
      op = 'NOT IN';
    } else if (opTok.kind === 'op') {
      op = opTok.text as Comparison['op'];
    } else if (opTok.kind === 'word' && ['LIKE', 'ILIKE', 'IN'].includes(opTok.text.toUpperCase())) {
      op = opTok.text.toUpperCase() as Comparison['op'];
    } else {
      throw invalid(text);
    }
    const valTok = next();
    let value: Comparison['value'];
    if (valTok.kind === 'string' || valTok.kind === 'number') value = valTok.value;
    else if (valTok.kind === 'list') value = valTok.values;
    else throw invalid(text);
    out.push({ entity, key, op, value });
    if (i >= tokens.length) return out;
    const and = next();
    if (and.kind !== 'word' || and.text.toUpperCase() !== 'AND') throw invalid(text);
  }
}

/** Does the entity's value (undefined: the entity has no such key) satisfy the comparison? */
export function compare(actual: string | number | undefined, c: Comparison): boolean {
  // Like the SQL join MLflow runs: an entity without the key never matches, not even `!=`.
  if (actual === undefined) return false;
  const v = c.value;
  switch (c.op) {
    case '=':
      return String(actual) === String(v);
    case '!=':
      return String(actual) !== String(v);
    case 'LIKE':
      return likeRegex(String(v), false).test(String(actual));
    case 'ILIKE':
      return likeRegex(String(v), true).test(String(actual));
    case 'IN':
      return Array.isArray(v) && v.map(String).includes(String(actual));
    case 'NOT IN':
      return Array.isArray(v) && !v.map(String).includes(String(actual));
    default: {
      const a = Number(actual);
      const b = Number(v);
      if (Number.isNaN(a) || Number.isNaN(b)) return false;
      return c.op === '<' ? a < b : c.op === '<=' ? a <= b : c.op === '>' ? a > b : a >= b;
    }
  }
}

function likeRegex(pattern: string, insensitive: boolean): RegExp {
  const body = pattern
    .split('')
    .map((ch) => (ch === '%' ? '.*' : ch === '_' ? '.' : ch.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
    .join('');
  return new RegExp(`^${body}$`, insensitive ? 'is' : 's');
}

type Token =
  | { kind: 'ident'; text: string }
  | { kind: 'word'; text: string }
  | { kind: 'op'; text: string }
  | { kind: 'string'; value: string }
  | { kind: 'number'; value: number }
  | { kind: 'list'; values: Array<string | number> };

const KEYWORDS = new Set(['AND', 'LIKE', 'ILIKE', 'IN', 'NOT']);

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  const quoted = (q: string): string => {
    let s = '';
    i++;
    while (i < text.length && text[i] !== q) s += text[i++];
    if (i >= text.length) throw invalid(text);
    i++;
    return s;
  };
  while (i < text.length) {
    const ch = text[i] ?? '';
    if (/\s/.test(ch)) {
      i++;
    } else if (ch === "'" || ch === '"') {
      // A double-quoted token right after an identifier's dot is part of the identifier.
      const prev = tokens[tokens.length - 1];
      const s = quoted(ch);
      if (ch === '"' && prev?.kind === 'ident' && prev.text.endsWith('.')) prev.text += s;
      else tokens.push({ kind: 'string', value: s });
    } else if (ch === '(') {
      const values: Array<string | number> = [];
      i++;
      for (;;) {
        while (/\s|,/.test(text[i] ?? '')) i++;
        const c = text[i];
        if (c === undefined) throw invalid(text);
        if (c === ')') {
          i++;
          break;
        }
        if (c === "'" || c === '"') values.push(quoted(c));
        else {
          const m = /^[^\s,)]+/.exec(text.slice(i));
          if (!m) throw invalid(text);
          values.push(Number.isNaN(Number(m[0])) ? m[0] : Number(m[0]));
          i += m[0].length;
        }
      }
      tokens.push({ kind: 'list', values });
    } else if (/[=!<>]/.test(ch)) {
      const m = /^(!=|<=|>=|=|<|>)/.exec(text.slice(i));
      if (!m) throw invalid(text);
      tokens.push({ kind: 'op', text: m[0] });
      i += m[0].length;
    } else if (/[-\d.]/.test(ch) && /^-?\d/.test(text.slice(i))) {
      const m = /^-?\d+(\.\d+)?([eE][-+]?\d+)?/.exec(text.slice(i));
      if (!m) throw invalid(text);
      tokens.push({ kind: 'number', value: Number(m[0]) });
      i += m[0].length;
    } else {
      // An identifier: letters, digits, _, ., -, and `backquoted` parts.
      let s = '';
      while (i < text.length) {
        const c = text[i] ?? '';
        if (c === '`') {
          s += quoted('`');
        } else if (/[\w.\-:]/.test(c)) {
          s += c;
          i++;
        } else break;
      }
      if (!s) throw invalid(text);
      tokens.push(KEYWORDS.has(s.toUpperCase()) ? { kind: 'word', text: s } : { kind: 'ident', text: s });
    }
  }
  return tokens;
}

function splitIdent(ident: string): [string, string] {
  const m = /^(tags?|attributes?|params?|parameters?|metrics?)\.(.+)$/i.exec(ident);
  if (!m) return ['', ident];
  const entity = (m[1] ?? '').toLowerCase();
  const norm = entity.startsWith('tag')
    ? 'tags'
    : entity.startsWith('attr')
      ? 'attributes'
      : entity.startsWith('metric')
        ? 'metrics'
        : 'params';
  return [norm, m[2] ?? ''];
}

function invalid(filter: string): MlflowError {
  return new MlflowError('INVALID_PARAMETER_VALUE', `Invalid filter string '${filter}'`);
}
