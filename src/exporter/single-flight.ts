// One running call per key. The exporter's key is an environment with a budget (server.ts,
// flightKey): a scrape that arrives while a check of that key runs never starts a second one; it
// joins the running one and is answered with its result.

export class SingleFlight<V> {
  readonly #running = new Map<string, Promise<V>>();

  /** The running call for `key`, or a new one from `start`; `shared` says which. */
  run(key: string, start: () => Promise<V>): { result: Promise<V>; shared: boolean } {
    const running = this.#running.get(key);
    if (running) return { result: running, shared: true };
    const result = start().finally(() => this.#running.delete(key));
    this.#running.set(key, result);
    return { result, shared: false };
  }

  /** Whether a call for `key` runs now (run() would join it). */
  has(key: string): boolean {
    return this.#running.has(key);
  }

  /** Every call still running (shutdown waits for them: each one cleans up after itself). */
  all(): Promise<V>[] {
    return [...this.#running.values()];
  }

  get size(): number {
    return this.#running.size;
  }
}
