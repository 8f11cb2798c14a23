// `hokus-check explain` and `sim --list-faults` as a user runs them, and the promise behind the
// catalogue: every code is produced by at least one test.
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ENGINE_CODES, METAS } from '../../src/diagnosis/catalogue.js';
import { FAULTS } from '../../src/sim/faults.js';
import { runInProcess } from '../helpers/in-process.js';
import { codesInTable } from '../helpers/faults-table.js';
import { SCENARIOS } from '../unit/diagnosis/scenarios.js';

const CODES = METAS.map((m) => m.code);

describe('hokus-check explain', () => {
  it('lists every code of the catalogue with its title, one line each', async () => {
    const run = await runInProcess(['explain']);
    expect(run.code, run.all).toBe(0);
    const lines = run.stdout.trimEnd().split('\n');
    expect(lines.map((l) => l.split(/\s+/)[0])).toEqual(CODES);
    for (const m of METAS) expect(run.stdout).toMatch(new RegExp(`^${m.code} +${escape(m.title)}$`, 'm'));
  });

  describe.concurrent('explain CODE', () => {
    for (const meta of METAS) {
      const r = { meta };
      it(`prints what ${r.meta.code} means, how it is detected, fixed and confirmed`, async ({ expect }) => {
        const run = await runInProcess(['explain', r.meta.code]);
        expect(run.code, run.all).toBe(0);
        expect(run.stdout.split('\n')[0]).toBe(`${r.meta.code} — ${r.meta.title}`);
        const headings = ['What it means', 'How it is detected', 'How to fix', 'How to confirm the fix'];
        const at = headings.map((h) => run.stdout.search(new RegExp(`^${h}$`, 'm')));
        expect(
          at.every((i) => i > 0),
          run.stdout,
        ).toBe(true);
        expect([...at].sort((a, b) => a - b)).toEqual(at);
        // Each section says something: the first words of the docs are under their heading.
        for (const [i, text] of [r.meta.docs.means, r.meta.docs.detect, r.meta.docs.fix, r.meta.docs.confirm].entries()) {
          const section = run.stdout.slice(at[i], at[i + 1] ?? undefined);
          expect(section.replace(/\s+/g, ' ')).toContain(text.split(/\s+/).slice(0, 4).join(' '));
        }
      });
    }
  });

  it('accepts a lower-case code', async () => {
    const run = await runInProcess(['explain', 'route_artifacts_misrouted']);
    expect(run.code, run.all).toBe(0);
    expect(run.stdout).toMatch(/^ROUTE_ARTIFACTS_MISROUTED — /);
  });

  it('exits 2 with one line for an unknown code', async () => {
    const run = await runInProcess(['explain', 'NO_SUCH_CODE']);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(run.stderr).toMatch(/unknown code "NO_SUCH_CODE"/);
  });
});

describe('hokus-check sim --list-faults', () => {
  it('prints one line per fault: its name and what it does', async () => {
    const run = await runInProcess(['sim', '--list-faults']);
    expect(run.code, run.all).toBe(0);
    const lines = run.stdout.trimEnd().split('\n');
    expect(lines.map((l) => l.split(/\s+/)[0])).toEqual(Object.keys(FAULTS));
    for (const [name, { summary }] of Object.entries(FAULTS)) {
      expect(lines.find((l) => l.startsWith(`${name} `))).toContain(summary);
    }
  });
});

/**
 * Codes no end-to-end test produces yet, and why; each is produced by its unit scenario
 * (test/unit/diagnosis/catalogue.test.ts). Shrinks as e2e tests are added; must not grow unnoticed.
 */
const KNOWN_E2E_GAPS: Record<string, string> = {
  NET_DNS: 'needs a name that fails to resolve; sandbox DNS makes that slow or flaky',
  NET_RESET: 'no fault resets a connection',
  TLS_EXPIRED: 'the embedded stack serves plain HTTP',
  TLS_UNTRUSTED: 'the embedded stack serves plain HTTP',
  TLS_HOSTNAME: 'the embedded stack serves plain HTTP',
  RESPONSE_SCHEMA: 'no fault answers JSON of the wrong shape',
  CLEANUP_LEFTOVERS: 'no fault makes a cleanup delete fail other than the DELETE-body one (PROXY_DROPS_DELETE_BODY)',
  DIAGNOSIS_RULE_FAILED:
    'raised when a rule throws, which no fault can make happen: test/unit/diagnosis/engine.test.ts injects a throwing rule',
};

describe('catalogue coverage', () => {
  const e2e = new Set([...codesInTable(), ...codesNamedInOtherE2eTests()]);
  // The unit scenarios, and the engine's own codes, which its unit test raises (test/unit/diagnosis/engine.test.ts).
  const engineTest = readFileSync(fileURLToPath(new URL('../unit/diagnosis/engine.test.ts', import.meta.url)), 'utf8');
  const unit = new Set([...Object.keys(SCENARIOS), ...ENGINE_CODES.map((m) => m.code).filter((c) => engineTest.includes(`'${c}'`))]);

  it('every catalogue code is produced by at least one unit or e2e test', () => {
    expect(CODES.filter((c) => !e2e.has(c) && !unit.has(c))).toEqual([]);
  });

  it('every code without an e2e test is a known, explained gap', () => {
    const gaps = CODES.filter((c) => !e2e.has(c));
    expect(gaps.filter((c) => !(c in KNOWN_E2E_GAPS))).toEqual([]);
    expect(
      Object.keys(KNOWN_E2E_GAPS).filter((c) => !CODES.includes(c)),
      'a gap that is no catalogue code',
    ).toEqual([]);
  });
});

/**
 * Catalogue codes that other e2e test files mention (assert on); this file's gap list excluded. The
 * real-proxy matrix (test/real-proxies/matrix.ts) is e2e too: real proxies, in-process checks.
 */
function codesNamedInOtherE2eTests(): string[] {
  const dir = fileURLToPath(new URL('.', import.meta.url));
  const proxies = fileURLToPath(new URL('../real-proxies/', import.meta.url));
  const text = [
    ...readdirSync(dir)
      .filter((f) => f.endsWith('.test.ts') && f !== 'explain.test.ts')
      .map((f) => readFileSync(`${dir}/${f}`, 'utf8')),
    readFileSync(`${proxies}/matrix.ts`, 'utf8'),
  ].join('\n');
  return CODES.filter((c) => new RegExp(`\\b${c}\\b`).test(text));
}

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
