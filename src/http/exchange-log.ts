// The record of every try a client made: ids in start order, stored when finished (already
// redacted), reported once each to the listener (--verbose).
import type { Exchange } from './types.js';

export class ExchangeLog {
  private readonly slots: (Exchange | undefined)[] = [];

  constructor(private readonly onExchange?: (x: Exchange) => void) {}

  /** Reserves the next id ('x1', 'x2', …) for a try that is starting. */
  begin(): { id: string; slot: number } {
    const slot = this.slots.length;
    this.slots.push(undefined);
    return { id: `x${slot + 1}`, slot };
  }

  finish(slot: number, exchange: Exchange): void {
    this.slots[slot] = exchange;
    this.onExchange?.(exchange);
  }

  /** Finished exchanges in start order. */
  all(): Exchange[] {
    return this.slots.filter((x): x is Exchange => x !== undefined);
  }
}
