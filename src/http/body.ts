// Reading response bodies without trusting the server: capped reads for text, and a counting tap
// for streamed read-back, so neither a huge nor an endless body can exhaust memory. A body that is
// not text is described (size, sha256, first bytes), never quoted.
import { createHash, type Hash } from 'node:crypto';
import { Transform, type Readable, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';

export interface CappedBody {
  /** Up to `cap` bytes. */
  bytes: Buffer;
  /** Bytes received, including any past the cap. */
  size: number;
  /** The body was longer than the cap and the stream was destroyed. */
  truncated: boolean;
  /** The stream failed before its end (bytes holds what arrived). */
  error?: unknown;
}

/** Reads a body up to `cap` bytes; past it, destroys the stream (which closes the connection). */
export async function readCapped(body: Readable, cap: number): Promise<CappedBody> {
  const chunks: Buffer[] = [];
  let kept = 0;
  let size = 0;
  try {
    for await (const chunk of body as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (kept + chunk.length > cap) {
        chunks.push(chunk.subarray(0, cap - kept));
        body.destroy();
        return { bytes: Buffer.concat(chunks), size, truncated: true };
      }
      chunks.push(chunk);
      kept += chunk.length;
    }
  } catch (error) {
    return { bytes: Buffer.concat(chunks), size, truncated: false, error };
  }
  return { bytes: Buffer.concat(chunks), size, truncated: false };
}

export interface StreamedBody {
  size: number;
  /** The first bytes, for the excerpt. */
  head: Buffer;
  /** sha256 (hex) of every byte that passed the tap. */
  sha256: string;
  error?: unknown;
}

/**
 * Hands the body to `consume` through a tap that counts bytes and keeps the first `headBytes`;
 * nothing else is buffered. A consumer that stops early ends the read (the rest is not drained).
 */
export async function streamTo(body: Readable, consume: (body: Readable) => Promise<void>, headBytes: number): Promise<StreamedBody> {
  const tap = new ByteTap(headBytes);
  const piping = pipeline(body, tap);
  const consuming = consume(tap).then(
    () => {
      if (!tap.readableEnded) tap.destroy();
    },
    (error: unknown) => {
      tap.destroy(error instanceof Error ? error : new Error(String(error)));
      throw error;
    },
  );
  const [piped, consumed] = await Promise.allSettled([piping, consuming]);
  const out: StreamedBody = { size: tap.size, head: tap.head(), sha256: tap.digest() };
  if (consumed.status === 'rejected') out.error = consumed.reason;
  else if (piped.status === 'rejected' && !tap.stoppedEarly) out.error = piped.reason;
  return out;
}

export interface DecodedText {
  text: string;
  /** The bytes were not UTF-8: invalid bytes (replaced in `text`), or UTF-16 (decoded as such). */
  invalidUtf8: boolean;
  /** Set when the body was UTF-16 and `text` is its decoding. */
  encoding?: Utf16;
}

type Utf16 = 'utf-16le' | 'utf-16be';

/**
 * The body as text: UTF-8, invalid bytes flagged and replaced (a truncated tail is not counted as
 * invalid) — or UTF-16, decoded as such, so that the redactor reads the text a person would: a key in
 * UTF-16 read as UTF-8 is its characters with NULs between them (test/e2e/hostile-text.test.ts).
 * UTF-16 is not UTF-8, so such a body is flagged invalidUtf8 too: it is evidence, never JSON.
 */
export function decodeText(bytes: Buffer, truncated: boolean): DecodedText {
  const utf16 = utf16Of(bytes);
  if (utf16 !== undefined) return { text: new TextDecoder(utf16).decode(bytes, { stream: truncated }), invalidUtf8: true, encoding: utf16 };
  try {
    return { text: new TextDecoder('utf-8', { fatal: true }).decode(bytes, { stream: truncated }), invalidUtf8: false };
  } catch {
    return { text: new TextDecoder('utf-8').decode(bytes, { stream: truncated }), invalidUtf8: true };
  }
}

/** Bytes read to tell UTF-16 without a byte-order mark. */
const UTF16_SAMPLE = 512;

/**
 * UTF-16 by its byte-order mark (FF FE, FE FF — not the UTF-32 one, FF FE 00 00), or, without one, by
 * the shape of text in it: in the first bytes, at least every second code unit with a NUL high byte (a
 * Latin character; the rest may be any script) and almost no NUL low byte. UTF-8 text has no NUL; binary formats rarely have that
 * rhythm, and what has it decodes to controls that looksBinary still calls binary.
 */
function utf16Of(bytes: Buffer): Utf16 | undefined {
  if (bytes.length < 2) return undefined;
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return bytes.length >= 4 && bytes[2] === 0 && bytes[3] === 0 ? undefined : 'utf-16le';
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return 'utf-16be';
  const pairs = Math.min(bytes.length, UTF16_SAMPLE) >> 1;
  if (pairs < 2) return undefined;
  let evenNul = 0;
  let oddNul = 0;
  for (let i = 0; i < pairs; i++) {
    if (bytes[2 * i] === 0) evenNul++;
    if (bytes[2 * i + 1] === 0) oddNul++;
  }
  const most = (n: number) => n * 2 >= pairs;
  const few = (n: number) => n * 20 <= pairs;
  if (most(oddNul) && few(evenNul)) return 'utf-16le';
  if (most(evenNul) && few(oddNul)) return 'utf-16be';
  return undefined;
}

/**
 * A body is binary when it holds a NUL (a NUL byte; in UTF-16, a NUL character), or when more than a
 * tenth of its decoded characters are replacement characters (bytes that are not UTF-8) or control
 * characters other than whitespace and ESC: an artifact, an image, a gzip stream. A JSON error with
 * one stray byte stays text.
 */
export function looksBinary(bytes: Buffer, text: string): boolean {
  if (utf16Of(bytes) === undefined ? bytes.includes(0) : text.includes('\u0000')) return true;
  if (text.length === 0) return false;
  let odd = 0;
  for (const ch of text) {
    const c = ch.codePointAt(0)!;
    if (c === 0xfffd || c === 0x7f || (c < 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0b && c !== 0x0c && c !== 0x0d && c !== 0x1b)) odd++;
  }
  return odd * 10 > [...text].length;
}

/** Bytes of the body shown as hex in its description. */
export const BINARY_HEAD_BYTES = 16;

export interface BinaryFacts {
  /** Bytes received. */
  size: number;
  /** sha256 (hex) of the first `hashed` bytes. */
  sha256: string;
  /** How many bytes the sha256 covers: all of them, or those read before the cap or the cut. */
  hashed: number;
  /** The first bytes as hex, or undefined when withheld (they hold a secret). */
  head?: string;
}

/** `binary body, 5242880 bytes, starts 1f8b0800…, sha256 9f86…` — what every output shows. */
export function describeBinary(f: BinaryFacts): string {
  const head = f.head === undefined ? 'first bytes withheld' : `starts ${f.head}${f.size > f.head.length / 2 ? '…' : ''}`;
  const covered = f.hashed < f.size ? ` of the first ${f.hashed} bytes` : '';
  return `binary body, ${f.size} bytes, ${head}, sha256${covered} ${f.sha256}`;
}

export function sha256Hex(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Pass-through that counts bytes and keeps the first few. */
class ByteTap extends Transform {
  size = 0;
  stoppedEarly = false;
  private readonly chunks: Buffer[] = [];
  private readonly hash: Hash = createHash('sha256');
  private kept = 0;

  constructor(private readonly headBytes: number) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.size += chunk.length;
    this.hash.update(chunk);
    if (this.kept < this.headBytes) {
      const part = chunk.subarray(0, this.headBytes - this.kept);
      this.chunks.push(Buffer.from(part));
      this.kept += part.length;
    }
    callback(null, chunk);
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    if (!error && !this.readableEnded) this.stoppedEarly = true;
    super._destroy(error, callback);
  }

  head(): Buffer {
    return Buffer.concat(this.chunks);
  }

  digest(): string {
    return this.hash.copy().digest('hex');
  }
}
