// The error for anything the user gave wrong (flags, env, config file): exit code 2, one line per problem.

/** A usage or configuration error. Each line names one problem precisely; the CLI prints them and exits 2. */
export class UsageError extends Error {
  readonly lines: string[];

  constructor(lines: string | string[]) {
    const list = typeof lines === 'string' ? [lines] : lines;
    super(list.join('\n'));
    this.name = 'UsageError';
    this.lines = list;
  }
}
