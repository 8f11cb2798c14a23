// Last line of defence: a usage error is one line and exit 2; anything else is an internal error,
// one line and exit 4 (the stack only with HOKUS_CHECK_DEBUG=1). The message was redacted where the key
// is known (`redact`; a usage error of config/ hid the secrets it was given: config/errors.ts), and what
// it quotes — a value the user typed, an error's message — is defused: no workflow command reaches the
// CI log from here either.
import { UsageError } from './config/errors.js';
import { EXIT } from './exit-codes.js';

export interface FatalOut {
  write(s: string): unknown;
  /** HOKUS_CHECK_DEBUG=1: also print the (redacted) stack. */
  debug?: boolean;
}

export function reportFatal(err: unknown, stderr: FatalOut, redact: (s: string) => string = (s) => s): number {
  const safe = (s: string) => defused(redact(s));
  if (err instanceof UsageError) {
    stderr.write(`${err.lines.map((l) => `hokus-check: ${safe(l)}`).join('\n')}\n`);
    return EXIT.usage;
  }
  const message = err instanceof Error ? err.message : String(err);
  stderr.write(
    `hokus-check: internal error: ${safe(message.split('\n')[0] ?? '')} (please report it; HOKUS_CHECK_DEBUG=1 shows details)\n`,
  );
  if (stderr.debug && err instanceof Error && err.stack) stderr.write(`${safe(err.stack)}\n`);
  return EXIT.internal;
}

/**
 * The workflow-command rule of the last pass (src/http/redact.ts, defuseCommands: `##[` anywhere,
 * `::` at a line's start), which this module may not import (ARCHITECTURE.md, code map: fatal imports
 * config and exit-codes only); test/unit/config/usage-errors.test.ts holds the two to the same result.
 */
export function defused(text: string): string {
  return text.replace(/(?<=#)#(?=\[)/g, ' #').replace(/(^|\n)([^\S\n]*):(?=:)/g, '$1$2: ');
}
