// Every code's rank comes from its rule's metadata (src/diagnosis/types.ts TIERS): each (tier, order)
// is taken once, orders within a tier run 1, 2, 3… without gaps, and the engine's order of
// findings follows the ranks (a more specific finding is the root cause over a less specific one).
import { describe, expect, it } from 'vitest';
import { METAS } from '../../../src/diagnosis/catalogue.js';
import { TIERS } from '../../../src/diagnosis/types.js';

describe('ranks of the codes', () => {
  it('every rank is taken once, and each tier numbers its codes 1, 2, 3… without gaps', () => {
    const byTier = new Map<string, number[]>();
    for (const m of METAS) byTier.set(m.rank.tier, [...(byTier.get(m.rank.tier) ?? []), m.rank.order]);
    for (const [tier, orders] of byTier) {
      expect(
        [...orders].sort((a, b) => a - b),
        tier,
      ).toEqual(orders.map((_, i) => i + 1));
    }
  });

  it('every tier has a code, and every code once', () => {
    expect(new Set(METAS.map((m) => m.rank.tier))).toEqual(new Set(TIERS));
    const codes = METAS.map((m) => m.code);
    expect(new Set(codes).size).toBe(codes.length);
  });
});
