// Last line of defence: a usage error is one line and exit 2; anything else is an internal error,
// one line and exit 4 (the stack only with HOKUS_CHECK_DEBUG=1). The message was redacted where the key is known.
import { UsageError } from './config/errors.js';
import { EXIT } from './exit-codes.js';

export interface FatalOut {
  write(s: string): unknown;
  /** HOKUS_CHECK_DEBUG=1: also print the (redacted) stack. */
  debug?: boolean;
}

export function reportFatal(err: unknown, stderr: FatalOut, redact: (s: string) => string = (s) => s): number {
  if (err instanceof UsageError) {
    stderr.write(`${err.lines.map((l) => `hokus-check: ${redact(l)}`).join('\n')}\n`);
    return EXIT.usage;
  }
  const message = err instanceof Error ? err.message : String(err);
  stderr.write(`hokus-check: internal error: ${redact(message.split('\n')[0] ?? '')} (please report it; HOKUS_CHECK_DEBUG=1 shows details)\n`);
  if (stderr.debug && err instanceof Error && err.stack) stderr.write(`${redact(err.stack)}\n`);
  return EXIT.internal;
}
