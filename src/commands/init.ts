// `hokus-check init [path]`: write an example config (never over an existing file without --force).
import { existsSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { exampleConfig } from '../config/example.js';
import { EXIT } from '../exit-codes.js';
import type { Factory } from '../factory.js';

export function initCommand(path: string, opts: { force?: boolean }, { io, cwd }: Pick<Factory, 'io' | 'cwd'>): number {
  const full = resolve(cwd, path);
  if (existsSync(full) && !opts.force) {
    io.err(`hokus-check: ${path} exists; use --force to overwrite it\n`);
    return EXIT.usage;
  }
  try {
    writeFileSync(full, exampleConfig());
  } catch (err) {
    io.err(`hokus-check: cannot write ${path}: ${(err as NodeJS.ErrnoException).code ?? String(err)}\n`);
    return EXIT.usage;
  }
  io.out(`wrote ${path}: edit the URLs, export the key in the env var it names, then run: hokus-check --env staging\n`);
  return EXIT.ok;
}
