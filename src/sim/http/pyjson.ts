// Python's json.dumps, byte for byte, for the shapes the simulated servers send. MLflow (Flask)
// answers success bodies as json.dumps(indent=2) and errors as json.dumps() — ASCII-escaped, with
// ", " / ": " separators — while FastAPI answers compact (",", ":") and unescaped. JSON.stringify
// differs in floats (1.0 vs 1), escaping and separators, so we write our own.

/** A number that Python holds as a float (proto double): printed with repr(), e.g. 1.0, 1e-05. */
export class PyFloat {
  constructor(readonly value: number) {}
}

export interface PyJsonOptions {
  /** Pretty-print with this many spaces (Python's indent=). */
  indent?: number;
  /** [item, key] separators; Python's defaults are [', ', ': '], or [',', ': '] with an indent. */
  separators?: [string, string];
  /** Escape every non-ASCII character as \uXXXX (Python's default). */
  ensureAscii?: boolean;
}

/** json.dumps(value, ...) as Python would write it. `undefined` object members are left out. */
export function pyJsonDumps(value: unknown, opts: PyJsonOptions = {}): string {
  const indent = opts.indent;
  const [itemSep, keySep] = opts.separators ?? (indent === undefined ? [', ', ': '] : [',', ': ']);
  const ensureAscii = opts.ensureAscii ?? true;

  const dump = (v: unknown, level: number): string => {
    if (v === null || v === undefined) return 'null';
    if (v instanceof PyFloat) return pyFloatRepr(v.value);
    if (typeof v === 'number') return Number.isInteger(v) ? String(v) : pyFloatRepr(v);
    if (typeof v === 'boolean') return v ? 'true' : 'false';
    if (typeof v === 'string') return pyJsonString(v, ensureAscii);
    if (typeof v === 'bigint') return v.toString();
    const open = Array.isArray(v) ? '[' : '{';
    const close = Array.isArray(v) ? ']' : '}';
    const parts = Array.isArray(v)
      ? v.map((item) => dump(item, level + 1))
      : Object.entries(v as Record<string, unknown>)
          .filter(([, val]) => val !== undefined)
          .map(([k, val]) => pyJsonString(k, ensureAscii) + keySep + dump(val, level + 1));
    if (parts.length === 0) return open + close;
    if (indent === undefined) return open + parts.join(itemSep) + close;
    const pad = ' '.repeat(indent * (level + 1));
    return `${open}\n${pad}${parts.join(`${itemSep}\n${pad}`)}\n${' '.repeat(indent * level)}${close}`;
  };
  return dump(value, 0);
}

/** repr(float) in Python 3: shortest round-trip digits, exponent form below 1e-4 and from 1e16. */
export function pyFloatRepr(x: number): string {
  if (Number.isNaN(x)) return 'NaN';
  if (x === Infinity) return 'Infinity';
  if (x === -Infinity) return '-Infinity';
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0';
  const [mantissa = '', expText = '0'] = x.toExponential().split('e');
  const exp = Number(expText);
  const sign = mantissa.startsWith('-') ? '-' : '';
  const digits = mantissa.replace('-', '').replace('.', '');
  if (exp < -4 || exp >= 16) {
    const m = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    return `${sign}${m}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
  }
  if (exp >= 0) {
    const intPart = digits.slice(0, exp + 1).padEnd(exp + 1, '0');
    return `${sign}${intPart}.${digits.slice(exp + 1) || '0'}`;
  }
  return `${sign}0.${'0'.repeat(-exp - 1)}${digits}`;
}

/** A JSON string literal as Python writes it (lower-case \u escapes; all non-ASCII when asked). */
export function pyJsonString(s: string, ensureAscii = true): string {
  const out = JSON.stringify(s);
  if (!ensureAscii) return out;
  return out.replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** str(value) for a JSON value, as it appears in MLflow's f-string error messages. */
export function pyStr(v: unknown): string {
  return typeof v === 'string' ? v : pyRepr(v);
}

/** repr(value) for a JSON value: 'text', 12, 1.5, True, None, ['a', 1], {'k': 'v'}. */
export function pyRepr(v: unknown): string {
  if (v === null || v === undefined) return 'None';
  if (v === true) return 'True';
  if (v === false) return 'False';
  if (v instanceof PyFloat) return pyFloatRepr(v.value);
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : pyFloatRepr(v);
  if (typeof v === 'string') {
    const quote = v.includes("'") && !v.includes('"') ? '"' : "'";
    const body = v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/\r/g, '\\r').replace(/\t/g, '\\t');
    return quote + (quote === "'" ? body.replace(/'/g, "\\'") : body) + quote;
  }
  if (Array.isArray(v)) return `[${v.map(pyRepr).join(', ')}]`;
  if (typeof v === 'object') {
    return `{${Object.entries(v as Record<string, unknown>)
      .map(([k, val]) => `${pyRepr(k)}: ${pyRepr(val)}`)
      .join(', ')}}`;
  }
  // bigint, symbol, function: not JSON values; shown as JavaScript writes them.
  return typeof v === 'bigint' ? String(v) : typeof v;
}

/** type(value).__name__ for a JSON value. */
export function pyTypeName(v: unknown): string {
  if (v === null || v === undefined) return 'NoneType';
  if (typeof v === 'boolean') return 'bool';
  if (v instanceof PyFloat) return 'float';
  if (typeof v === 'number') return Number.isInteger(v) ? 'int' : 'float';
  if (typeof v === 'string') return 'str';
  if (Array.isArray(v)) return 'list';
  return 'dict';
}
