// Every output of one run at once — --verbose, --json, --junit, --markdown, --har and the GitHub step
// summary — as the run's flags and environment, and the files read back: what the leak tests
// (test/e2e/leak*.test.ts) search for a secret.
import { readFileSync } from 'node:fs';

export interface EveryOutput {
  /** `--verbose` and each file output's flag with its path. */
  args: string[];
  /** The step summary's file, as GitHub Actions names it. */
  env: { GITHUB_STEP_SUMMARY: string };
  path: { json: string; junit: string; markdown: string; har: string; summary: string };
  /** Each file's text; throws when one was not written. */
  read(): { json: string; junit: string; markdown: string; har: string; summary: string };
}

/** `file(ext)` is the path for each file: ext is json, xml, md, har or summary.md. */
export function everyOutput(file: (ext: string) => string): EveryOutput {
  const path = { json: file('json'), junit: file('xml'), markdown: file('md'), har: file('har'), summary: file('summary.md') };
  const text = (p: string) => readFileSync(p, 'utf8');
  return {
    args: ['--verbose', '--json', path.json, '--junit', path.junit, '--markdown', path.markdown, '--har', path.har],
    env: { GITHUB_STEP_SUMMARY: path.summary },
    path,
    read: () => ({
      json: text(path.json),
      junit: text(path.junit),
      markdown: text(path.markdown),
      har: text(path.har),
      summary: text(path.summary),
    }),
  };
}
