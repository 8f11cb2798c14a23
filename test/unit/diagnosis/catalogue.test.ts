import { describe, expect, it } from 'vitest';
import { RULES, ruleFor } from '../../../src/diagnosis/catalogue.js';
import { diagnose } from '../../../src/diagnosis/engine.js';
import { SCENARIOS } from './scenarios.js';

describe('the catalogue', () => {
  it('has unique codes, each with a scenario that produces it', () => {
    const codes = RULES.map((r) => r.meta.code);
    expect(new Set(codes).size).toBe(codes.length);
    expect(Object.keys(SCENARIOS).sort()).toEqual([...codes].sort());
  });

  it('finds each rule by its code', () => {
    for (const r of RULES) expect(ruleFor(r.meta.code)).toBe(r);
    expect(ruleFor('NOPE')).toBeUndefined();
  });

  for (const [code, build] of Object.entries(SCENARIOS)) {
    it(`rule ${code} produces its finding from hand-built evidence`, () => {
      const { ev, step } = build();
      const findings = ruleFor(code)!.match(ev);
      const finding = findings.find((f) => f.code === code);
      expect(finding, JSON.stringify(findings)).toBeDefined();
      expect(finding!.step).toBe(step);
      expect(finding!.cause.length).toBeGreaterThan(20);
      expect(finding!.fix.length).toBeGreaterThan(0);
      for (const id of finding!.evidence) expect(ev.exchanges.map((x) => x.id)).toContain(id);
    });

    it(`the engine reports ${code}${build().root ? ' as the root cause' : ''}`, () => {
      const { ev, step, root } = build();
      const findings = diagnose(ev);
      const finding = findings.find((f) => f.code === code && f.step === step);
      expect(finding, findings.map((f) => `${f.code}@${f.step}`).join(', ')).toBeDefined();
      if (root) {
        expect(findings[0]).toBe(finding);
        expect(finding!.rootCause).toBe(true);
        expect(findings.filter((f) => f.rootCause)).toHaveLength(1);
      } else {
        expect(finding!.rootCause).toBe(false);
      }
    });
  }
});
