// Where a config file stops being JSON, as line:column and a plain reason. JSON.parse's own messages are
// not used: on Node 20 some carry no position, and some quote the surrounding text — which could be a key.

export interface JsonSyntaxError {
  /** 1-based. */
  line: number;
  column: number;
  reason: string;
}

/** The first syntax error in `text`, or undefined when it is valid JSON. */
export function locateJsonError(text: string): JsonSyntaxError | undefined {
  try {
    new Scanner(text).document();
    return undefined;
  } catch (error) {
    if (!(error instanceof SyntaxAt)) throw error;
    return { ...lineColumn(text, error.offset), reason: error.reason };
  }
}

/** 1-based line and column of a 0-based offset. */
export function lineColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  return { line, column: offset - before.lastIndexOf('\n') };
}

class SyntaxAt extends Error {
  constructor(
    readonly offset: number,
    readonly reason: string,
  ) {
    super(reason);
  }
}

// A recursive-descent JSON recogniser (RFC 8259): no values are built, only the first error is found.
class Scanner {
  private i = 0;

  constructor(private readonly text: string) {}

  document(): void {
    this.space();
    this.value();
    this.space();
    if (this.i < this.text.length) this.fail('unexpected text after the end of the JSON value');
  }

  private value(): void {
    const c = this.text[this.i];
    if (c === '{') return this.object();
    if (c === '[') return this.array();
    if (c === '"') return this.string();
    if (c === '-' || (c !== undefined && c >= '0' && c <= '9')) return this.number();
    for (const word of ['true', 'false', 'null']) {
      if (this.text.startsWith(word, this.i)) {
        this.i += word.length;
        return;
      }
    }
    if (c === undefined) this.fail('unexpected end of file, expected a value');
    if (c === "'") this.fail('strings must use double quotes');
    if (/[A-Za-z_]/.test(c)) this.fail('unquoted text where a value was expected (strings need double quotes)');
    this.fail(`unexpected ${describe(c)}, expected a value`);
  }

  private object(): void {
    this.i++;
    this.space();
    if (this.peek() === '}') return void this.i++;
    for (;;) {
      if (this.peek() === undefined) this.fail("unexpected end of file, expected a property name or '}'");
      if (this.peek() !== '"') {
        this.fail(this.peek() === "'" ? 'property names must use double quotes' : 'expected a property name in double quotes');
      }
      this.string();
      this.space();
      if (this.peek() !== ':') this.fail("expected ':' after the property name");
      this.i++;
      this.space();
      this.value();
      this.space();
      const c = this.peek();
      if (c === '}') return void this.i++;
      if (c !== ',')
        this.fail(c === undefined ? "unexpected end of file, expected ',' or '}'" : "expected ',' or '}' after a property value");
      const comma = this.i++;
      this.space();
      if (this.peek() === '}') this.fail("trailing comma before '}' (JSON allows none)", comma);
    }
  }

  private array(): void {
    this.i++;
    this.space();
    if (this.peek() === ']') return void this.i++;
    for (;;) {
      this.value();
      this.space();
      const c = this.peek();
      if (c === ']') return void this.i++;
      if (c !== ',')
        this.fail(c === undefined ? "unexpected end of file, expected ',' or ']'" : "expected ',' or ']' after an array element");
      const comma = this.i++;
      this.space();
      if (this.peek() === ']') this.fail("trailing comma before ']' (JSON allows none)", comma);
    }
  }

  private string(): void {
    const start = this.i++;
    for (;;) {
      const c = this.text[this.i];
      if (c === undefined || c === '\n') this.fail('unterminated string', start);
      if (c === '"') return void this.i++;
      if (c < ' ') this.fail('control character in a string (escape it)');
      if (c === '\\') {
        const e = this.text[this.i + 1];
        if (e === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(this.text.slice(this.i + 2, this.i + 6))) this.fail('bad \\u escape in a string');
          this.i += 6;
          continue;
        }
        if (e === undefined || !'"\\/bfnrt'.includes(e)) this.fail('bad escape in a string');
        this.i += 2;
        continue;
      }
      this.i++;
    }
  }

  private number(): void {
    const start = this.i;
    const match = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(this.text.slice(this.i));
    if (!match) this.fail('invalid number');
    this.i += match[0].length;
    const next = this.peek();
    // '10s' unquoted: point at the value, not at the 's'.
    if (next !== undefined && /[A-Za-z_]/.test(next) && !/[eE]/.test(next)) {
      this.fail('unquoted text where a value was expected (strings need double quotes, e.g. "10s")', start);
    }
    if (next !== undefined && /[0-9.eE]/.test(next)) this.fail('invalid number (no leading zeros; digits after the point)');
  }

  private space(): void {
    while (this.i < this.text.length && ' \t\n\r'.includes(this.text[this.i] as string)) this.i++;
    if (this.text.startsWith('//', this.i) || this.text.startsWith('/*', this.i)) {
      this.fail('comments are not allowed in JSON (use a "$comment" property)');
    }
  }

  private peek(): string | undefined {
    return this.text[this.i];
  }

  private fail(reason: string, offset = this.i): never {
    throw new SyntaxAt(offset, reason);
  }
}

function describe(c: string): string {
  return /[\x21-\x7e]/.test(c) ? `character '${c}'` : `character U+${c.codePointAt(0)?.toString(16).toUpperCase().padStart(4, '0')}`;
}
