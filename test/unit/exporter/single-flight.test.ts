// One running probe per environment and budget (src/exporter/single-flight.ts, server.ts flightKey).
import { describe, expect, it } from 'vitest';
import { probeBudget } from '../../../src/exporter/budget.js';
import { flightKey } from '../../../src/exporter/server.js';
import { SingleFlight } from '../../../src/exporter/single-flight.js';

function deferred<T>() {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => ((resolve = res), (reject = rej)));
  return { promise, resolve, reject };
}

describe('SingleFlight', () => {
  it('joins a call running for the same key, starts one for another key', async () => {
    const flights = new SingleFlight<string>();
    const a = deferred<string>();
    const b = deferred<string>();
    let started = 0;
    const first = flights.run('prod', () => (started++, a.promise));
    const second = flights.run('prod', () => (started++, Promise.resolve('second')));
    const other = flights.run('staging', () => (started++, b.promise));
    expect([first.shared, second.shared, other.shared]).toEqual([false, true, false]);
    expect(started).toBe(2);
    a.resolve('first');
    b.resolve('other');
    expect(await Promise.all([first.result, second.result, other.result])).toEqual(['first', 'first', 'other']);
  });

  it('starts a new call once the previous one settled, also after a failure', async () => {
    const flights = new SingleFlight<string>();
    const failing = deferred<string>();
    const first = flights.run('prod', () => failing.promise);
    failing.reject(new Error('boom'));
    await expect(first.result).rejects.toThrow('boom');
    expect(flights.size).toBe(0);
    const next = flights.run('prod', () => Promise.resolve('fresh'));
    expect(next.shared).toBe(false);
    expect(await next.result).toBe('fresh');
  });

  it('lists the running calls (shutdown waits for them)', async () => {
    const flights = new SingleFlight<number>();
    const d = deferred<number>();
    flights.run('a', () => d.promise);
    expect(flights.all()).toHaveLength(1);
    d.resolve(1);
    await Promise.all(flights.all());
    await Promise.resolve();
    expect(flights.size).toBe(0);
  });
});

describe('flightKey', () => {
  const key = (header: string | undefined, generation = 0, env = 'prod') => flightKey(generation, env, probeBudget(header, 120_000));

  it('is the same for scrapes of one Prometheus job (same scrape timeout), whatever the header spelling', () => {
    expect(key('10')).toBe(key('10.0'));
    expect(key(undefined)).toBe(key(undefined));
  });

  it('differs for another budget, another environment, another config', () => {
    expect(key('0.3')).not.toBe(key('10'));
    expect(key('10')).not.toBe(key('15'));
    expect(key('10')).not.toBe(key(undefined));
    expect(key('10', 0, 'prod')).not.toBe(key('10', 0, 'staging'));
    expect(key('10', 0)).not.toBe(key('10', 1));
  });
});

describe('SingleFlight.has', () => {
  it('says whether run() would join', async () => {
    const flights = new SingleFlight<number>();
    const d = deferred<number>();
    expect(flights.has('a')).toBe(false);
    flights.run('a', () => d.promise);
    expect([flights.has('a'), flights.has('b')]).toEqual([true, false]);
    d.resolve(1);
    await Promise.all(flights.all());
    await Promise.resolve();
    expect(flights.has('a')).toBe(false);
  });
});
