// Managed edges' own answers (test/fixtures/edges/pages.json, each from the product's documentation
// or source): tests of naming. Each page, on the first call under the MLflow mount after health
// passed, gets the code of its situation — decided from HTTP and timing as for any front — and the
// product's name and fix from its profile (src/diagnosis/profiles/).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { diagnose } from '../../../src/diagnosis/engine.js';
import { fingerprintOf } from '../../../src/diagnosis/fingerprint.js';
import { hopReading } from '../../../src/diagnosis/hop-situation.js';
import { hopFix, profileOf } from '../../../src/diagnosis/profiles/index.js';
import type { Situation } from '../../../src/diagnosis/situations.js';
import { blockedBy, search, upToExperiments, type Answer } from './evidence.js';

interface EdgePage {
  product: string;
  situation: Situation;
  status: number;
  headers: Array<[string, string]>;
  body: string;
  ms: number;
  source: string;
  expect: { code: string; responder: string };
}

const PAGES = JSON.parse(readFileSync(new URL('../../fixtures/edges/pages.json', import.meta.url), 'utf8')) as EdgePage[];

function searchAnswers(page: EdgePage) {
  const c = upToExperiments();
  const answer: Answer = { status: page.status, headers: page.headers, body: page.body };
  search(c, { answer, ms: page.ms });
  c.step('experiments', 'fail', String(page.status));
  blockedBy(c, 'experiments');
  return c.evidence();
}

describe('managed edges: documented pages', () => {
  it('every page names its source', () => {
    for (const p of PAGES) expect(p.source.length, p.product).toBeGreaterThan(40);
  });

  for (const page of PAGES) {
    it(`${page.product} ${page.status} (${page.situation}): ${page.expect.code}, named ${page.expect.responder}`, () => {
      const ev = searchAnswers(page);
      const root = diagnose(ev).find((f) => f.rootCause);
      const x = ev.exchanges.find((y) => y.label === 'experiments/search')!;
      expect(root && `${root.code}@${root.step}`).toBe(`${page.expect.code}@experiments`);
      expect(fingerprintOf(x)).toMatchObject({ writer: 'hop', responder: page.expect.responder });
      // The words and the fix are the profile's.
      expect(root!.cause.startsWith(profileOf(fingerprintOf(x).responder)!.words.replace(/^the /, 'The '))).toBe(true);
      const situation = hopReading(ev, x)!.situation;
      if (root!.code !== 'ROUTE_PROXY_NOT_MOUNTED') expect(root!.fix[0]).toBe(hopFix(page.expect.responder as never, situation));
      // The situation the product documents is the one read from HTTP and timing.
      expect(situation).toBe(page.situation);
    });
  }
});
