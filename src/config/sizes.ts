// Sizes as people write them: '123' (bytes), '64KiB', '200MiB', '1GiB' (powers of 1024) and '1KB', '1MB',
// '1GB' (powers of 1000, as disks and network links count). A lone 'K'/'M'/'G' is refused as ambiguous.
import { UsageError } from './errors.js';
import { quoteSafely } from './key-guard.js';

/** Bytes in `s` (a whole number); throws UsageError with a one-line message. */
export function parseSize(s: string): number {
  const match = SIZE.exec(s.trim());
  if (!match) throw new UsageError(invalid(s, ambiguityHint(s)));
  const [, amount = '', unit = ''] = match;
  const factor = UNIT_BYTES[unit.toLowerCase()];
  if (factor === undefined) throw new UsageError(invalid(s, ambiguityHint(s)));
  const bytes = Math.round(Number(amount) * factor);
  if (!Number.isSafeInteger(bytes)) throw new UsageError(`size ${quoteSafely(s)} is too large`);
  return bytes;
}

const SIZE = /^(\d+(?:\.\d+)?)\s*([a-z]*)$/i;
const UNIT_BYTES: Record<string, number> = {
  '': 1,
  b: 1,
  kib: 1024,
  mib: 1024 ** 2,
  gib: 1024 ** 3,
  tib: 1024 ** 4,
  kb: 1e3,
  mb: 1e6,
  gb: 1e9,
  tb: 1e12,
};

function ambiguityHint(s: string): string {
  const unit = /^\d+(?:\.\d+)?\s*([kmgt])$/i.exec(s.trim())?.[1]?.toUpperCase();
  return unit ? `; "${unit}" is ambiguous: did you mean ${unit}iB (1024-based) or ${unit}B (1000-based)?` : '';
}

function invalid(s: string, hint: string): string {
  return `invalid size ${quoteSafely(s)} (expected e.g. 4KiB, 200MiB, 1GiB, 1MB, or bytes)${hint}`;
}
