// `hokus-check init [path]`: write an example config (never over an existing file without --force).
import { existsSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { exampleConfig } from '../config/example.js';
import { EXIT } from '../exit-codes.js';
import type { Io } from '../io.js';

export function initCommand(path: string, opts: { force?: boolean }, io: Io): void {
  const full = resolve(io.cwd, path);
  if (existsSync(full) && !opts.force) {
    io.err(`hokus-check: ${path} exists; use --force to overwrite it\n`);
    io.exit(EXIT.usage);
  }
  try {
    writeFileSync(full, exampleConfig());
  } catch (err) {
    io.err(`hokus-check: cannot write ${path}: ${(err as NodeJS.ErrnoException).code ?? String(err)}\n`);
    io.exit(EXIT.usage);
  }
  io.out(`wrote ${path}: edit the URLs, export the key in the env var it names, then run: hokus-check --env staging\n`);
}
