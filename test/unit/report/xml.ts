// A tiny, strict XML 1.0 reader for the JUnit tests (no xmllint here): it rejects anything not
// well-formed (unbalanced tags, bad entity references, `<` in attribute values, duplicate
// attributes, characters XML 1.0 forbids) and returns the element tree with decoded text.

export interface XmlElement {
  name: string;
  attrs: Record<string, string>;
  children: XmlElement[];
  text: string;
}

export function parseXml(source: string): XmlElement {
  const p = new Parser(source);
  return p.document();
}

const NAME_START = /[A-Za-z_:]/;
const NAME_CHAR = /[A-Za-z0-9_:.-]/;

class Parser {
  private i = 0;
  constructor(private readonly s: string) {
    for (const ch of s) {
      const cp = ch.codePointAt(0) ?? 0;
      const ok =
        cp === 0x9 ||
        cp === 0xa ||
        cp === 0xd ||
        (cp >= 0x20 && cp <= 0xd7ff) ||
        (cp >= 0xe000 && cp <= 0xfffd) ||
        (cp >= 0x10000 && cp <= 0x10ffff);
      if (!ok) throw new Error(`character U+${cp.toString(16)} is not allowed in XML 1.0`);
    }
  }

  document(): XmlElement {
    if (this.s.startsWith('<?xml')) {
      const end = this.s.indexOf('?>');
      if (end < 0) throw new Error('unterminated XML declaration');
      this.i = end + 2;
    }
    this.skipSpace();
    const root = this.element();
    this.skipSpace();
    if (this.i !== this.s.length) throw new Error(`content after the root element at ${this.i}`);
    return root;
  }

  private element(): XmlElement {
    this.expect('<');
    const name = this.name();
    const attrs: Record<string, string> = {};
    for (;;) {
      const hadSpace = this.skipSpace();
      if (this.peek('/>')) {
        this.i += 2;
        return { name, attrs, children: [], text: '' };
      }
      if (this.peek('>')) {
        this.i += 1;
        break;
      }
      if (!hadSpace) throw new Error(`expected whitespace before an attribute at ${this.i}`);
      const attr = this.name();
      this.skipSpace();
      this.expect('=');
      this.skipSpace();
      const quote = this.s[this.i];
      if (quote !== '"' && quote !== "'") throw new Error(`unquoted attribute ${attr} at ${this.i}`);
      this.i += 1;
      const end = this.s.indexOf(quote, this.i);
      if (end < 0) throw new Error(`unterminated attribute ${attr}`);
      const raw = this.s.slice(this.i, end);
      if (raw.includes('<')) throw new Error(`'<' in attribute ${attr}`);
      if (attr in attrs) throw new Error(`duplicate attribute ${attr} on <${name}>`);
      attrs[attr] = decode(raw);
      this.i = end + 1;
    }
    const children: XmlElement[] = [];
    let text = '';
    for (;;) {
      if (this.i >= this.s.length) throw new Error(`unclosed <${name}>`);
      if (this.peek('</')) {
        this.i += 2;
        const closing = this.name();
        if (closing !== name) throw new Error(`</${closing}> closes <${name}>`);
        this.skipSpace();
        this.expect('>');
        return { name, attrs, children, text };
      }
      if (this.peek('<![CDATA[')) {
        const end = this.s.indexOf(']]>', this.i);
        if (end < 0) throw new Error('unterminated CDATA');
        text += this.s.slice(this.i + 9, end);
        this.i = end + 3;
        continue;
      }
      if (this.peek('<!--')) {
        const end = this.s.indexOf('-->', this.i);
        if (end < 0) throw new Error('unterminated comment');
        this.i = end + 3;
        continue;
      }
      if (this.peek('<')) {
        children.push(this.element());
        continue;
      }
      const next = this.s.indexOf('<', this.i);
      const raw = this.s.slice(this.i, next < 0 ? this.s.length : next);
      if (raw.includes(']]>')) throw new Error("']]>' in text");
      text += decode(raw);
      this.i += raw.length;
    }
  }

  private name(): string {
    const start = this.i;
    if (!NAME_START.test(this.s[this.i] ?? '')) throw new Error(`expected a name at ${this.i}`);
    while (NAME_CHAR.test(this.s[this.i] ?? '')) this.i += 1;
    return this.s.slice(start, this.i);
  }

  private skipSpace(): boolean {
    const start = this.i;
    while (' \t\r\n'.includes(this.s[this.i] ?? 'x')) this.i += 1;
    return this.i > start;
  }

  private peek(token: string): boolean {
    return this.s.startsWith(token, this.i);
  }

  private expect(token: string): void {
    if (!this.peek(token)) throw new Error(`expected '${token}' at ${this.i}`);
    this.i += token.length;
  }
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function decode(raw: string): string {
  let out = '';
  let i = 0;
  while (i < raw.length) {
    const amp = raw.indexOf('&', i);
    if (amp < 0) {
      out += raw.slice(i);
      break;
    }
    out += raw.slice(i, amp);
    const semi = raw.indexOf(';', amp);
    if (semi < 0) throw new Error(`bare '&' in ${JSON.stringify(raw.slice(amp, amp + 20))}`);
    const ref = raw.slice(amp + 1, semi);
    if (ref.startsWith('#x')) out += String.fromCodePoint(parseInt(ref.slice(2), 16));
    else if (ref.startsWith('#')) out += String.fromCodePoint(parseInt(ref.slice(1), 10));
    else if (ref in ENTITIES) out += ENTITIES[ref];
    else throw new Error(`unknown entity &${ref};`);
    i = semi + 1;
  }
  return out;
}

/** All descendants named `name`, depth first. */
export function findAll(root: XmlElement, name: string): XmlElement[] {
  const out: XmlElement[] = [];
  const walk = (e: XmlElement): void => {
    if (e.name === name) out.push(e);
    e.children.forEach(walk);
  };
  walk(root);
  return out;
}
