// The generated artifact: deterministic pseudo-random bytes made on the fly (AES-CTR keystream over
// zeros: fast, and never held in memory), hashed while they are produced and while they are read back.
import { createCipheriv, createHash, type Hash } from 'node:crypto';
import { Readable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { createGcPacer } from './gc-pacer.js';

// 256 KiB: fewer stream and socket operations per byte than 64 KiB (~10% less CPU for a large
// artifact), while a chunk in flight stays small next to the process's ~70 MiB.
const CHUNK = 256 * 1024;
const ZEROS = Buffer.alloc(CHUNK);
/** Spent chunks are released every this many bytes (see gc-pacer.ts). */
const GC_EVERY = 4 * 1024 * 1024;

export interface Payload {
  size: number;
  /** A fresh stream of the same bytes each call (a retry resends them). */
  stream(onBytes?: (sent: number) => void): Readable;
  /** sha256 hex of the bytes; known once a stream has been read to its end. */
  sha256(): string | undefined;
}

export function createPayload(seed: string, size: number): Payload {
  let digest: string | undefined;
  return {
    size,
    sha256: () => digest,
    stream(onBytes) {
      const key = createHash('sha256').update(seed).digest().subarray(0, 16);
      const cipher = createCipheriv('aes-128-ctr', key, Buffer.alloc(16));
      const hash = createHash('sha256');
      const pace = createGcPacer(GC_EVERY);
      let produced = 0;
      return new Readable({
        highWaterMark: CHUNK,
        read() {
          if (produced >= size) {
            digest = hash.digest('hex');
            this.push(null);
            return;
          }
          const n = Math.min(CHUNK, size - produced);
          const chunk = cipher.update(n === CHUNK ? ZEROS : ZEROS.subarray(0, n));
          produced += n;
          hash.update(chunk);
          pace(n);
          onBytes?.(produced);
          this.push(chunk);
        },
      });
    },
  };
}

/**
 * Hashes a response body as it streams by. 'data' events rather than `for await`: a 1 GiB body is
 * ~16k socket reads, and an async iterator's promise per read is a measurable share of the CPU.
 */
export async function hashStream(body: Readable, onBytes?: (received: number) => void): Promise<{ sha256: string; bytes: number }> {
  const hash: Hash = createHash('sha256');
  const pace = createGcPacer(GC_EVERY);
  let bytes = 0;
  body.on('data', (buf: Buffer) => {
    hash.update(buf);
    pace(buf.length);
    bytes += buf.length;
    onBytes?.(bytes);
  });
  // Rejects on an error or a close before the end, as `for await` would.
  await finished(body, { writable: false });
  return { sha256: hash.digest('hex'), bytes };
}
