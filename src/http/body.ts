// Reading response bodies without trusting the server: capped reads for text, and a counting tap
// for streamed read-back, so neither a huge nor an endless body can exhaust memory.
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
  const out: StreamedBody = { size: tap.size, head: tap.head() };
  if (consumed.status === 'rejected') out.error = consumed.reason;
  else if (piped.status === 'rejected' && !tap.stoppedEarly) out.error = piped.reason;
  return out;
}

export interface DecodedText {
  text: string;
  invalidUtf8: boolean;
}

/** UTF-8 text; invalid bytes are flagged and replaced. A truncated tail is not counted as invalid. */
export function decodeText(bytes: Buffer, truncated: boolean): DecodedText {
  try {
    return { text: new TextDecoder('utf-8', { fatal: true }).decode(bytes, { stream: truncated }), invalidUtf8: false };
  } catch {
    return { text: new TextDecoder('utf-8').decode(bytes, { stream: truncated }), invalidUtf8: true };
  }
}

/** Pass-through that counts bytes and keeps the first few. */
class ByteTap extends Transform {
  size = 0;
  stoppedEarly = false;
  private readonly chunks: Buffer[] = [];
  private kept = 0;

  constructor(private readonly headBytes: number) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.size += chunk.length;
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
}
