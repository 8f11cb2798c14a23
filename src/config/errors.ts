// The error for anything the user gave wrong (flags, env, config file): exit code 2, one line per problem.

/** A usage or configuration error. Each line names one problem precisely; the CLI prints them and exits 2. */
export class UsageError extends Error {
  readonly lines: string[];

  constructor(lines: string | string[]) {
    const list = typeof lines === 'string' ? [lines] : lines;
    super(list.join('\n'));
    this.name = 'UsageError';
    this.lines = list;
  }
}

/** Shortest run of a secret that counts as the secret, as for the redactor (src/http/redact.ts, MIN_RUN). */
const MIN_RUN = 8;
/** Shorter secrets (a URL's password) are hidden only whole, and only from this length. */
const MIN_WHOLE = 4;

/**
 * The lines with every secret the config was given hidden: the API key — whole, its secret part alone
 * (without hk_live_/hk_test_), or 8 characters of it, in any case — and URL credentials. A message
 * quotes what the user typed, and a key or a password pasted into the wrong field is what they typed.
 * Config messages echo values verbatim, so matching the values as written is enough here; config does
 * not import the redactor (ARCHITECTURE.md, code map), which every writer applies again with the keys
 * once they are known (src/fatal.ts, src/report/safe-output.ts).
 */
export function withoutSecrets(lines: readonly string[], secrets: readonly string[]): string[] {
  const forms = [...new Set(secrets.map((s) => s.replace(/^hk_(?:live|test)_/i, '').toLowerCase()))].filter((s) => s.length >= MIN_WHOLE);
  if (forms.length === 0) return [...lines];
  return lines.map((line) => {
    const lower = line.toLowerCase();
    const spans: Array<[number, number]> = [];
    for (const form of forms) {
      const size = Math.min(MIN_RUN, form.length);
      for (let at = 0; at + size <= form.length; at++) {
        const window = form.slice(at, at + size);
        for (let i = lower.indexOf(window); i >= 0; i = lower.indexOf(window, i + 1)) {
          // As far as the secret goes on, both ways.
          let [start, end, from, to] = [i, i + size, at, at + size];
          while (start > 0 && from > 0 && lower[start - 1] === form[from - 1]) [start, from] = [start - 1, from - 1];
          while (end < lower.length && to < form.length && lower[end] === form[to]) [end, to] = [end + 1, to + 1];
          spans.push([start, end]);
        }
      }
    }
    if (spans.length === 0) return line;
    spans.sort((a, b) => a[0] - b[0]);
    let out = '';
    let cursor = 0;
    for (const [start, end] of spans) {
      if (end <= cursor) continue;
      out += `${line.slice(cursor, Math.max(cursor, start))}<redacted>`;
      cursor = end;
    }
    return out + line.slice(cursor);
  });
}
