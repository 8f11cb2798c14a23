import { describe, expect, it } from 'vitest';
import { METAS } from '../../../src/diagnosis/catalogue.js';
import { explainCode, listCodes } from '../../../src/report/explain.js';

describe('explain', () => {
  it('every code has a title and non-empty docs', () => {
    for (const meta of METAS) {
      expect(meta.title.trim(), meta.code).not.toBe('');
      for (const part of ['means', 'detect', 'fix', 'confirm'] as const)
        expect(meta.docs[part].trim().length, `${meta.code}.${part}`).toBeGreaterThan(20);
    }
  });

  it('prints code, title, family and the four sections', () => {
    const text = explainCode('ROUTE_ARTIFACTS_MISROUTED')!;
    const lines = text.split('\n');
    expect(lines[0]).toBe('ROUTE_ARTIFACTS_MISROUTED — Proxy misroutes artifact requests');
    expect(lines[1]).toBe('family: routing, severity: error');
    for (const heading of ['What it means', 'How it is detected', 'How to fix', 'How to confirm the fix']) expect(lines).toContain(heading);
    expect(text).toContain('ajax-api/2.0/mlflow-artifacts/');
    expect(Math.max(...lines.map((l) => l.length))).toBeLessThanOrEqual(80);
    expect(text).not.toMatch(/\x1b\[/);
  });

  it('accepts a code in any case', () => {
    expect(explainCode(' net_dns ')).toBe(explainCode('NET_DNS'));
  });

  it('returns undefined for an unknown code', () => {
    expect(explainCode('NOPE')).toBeUndefined();
  });

  it('lists one line per code with its title', () => {
    const lines = listCodes().trimEnd().split('\n');
    expect(lines).toHaveLength(METAS.length);
    expect(lines.find((l) => l.startsWith('AUTH_SERVICE_ID_MISMATCH'))).toMatch(
      /^AUTH_SERVICE_ID_MISMATCH\s+Key not valid for this service_id$/,
    );
  });
});
