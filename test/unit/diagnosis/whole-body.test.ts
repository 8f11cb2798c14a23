// The rules read the whole body up to the 1 MiB read cap (http/client.ts bodyText), not the 2 KB
// excerpt: a fact at the end of a long body is found, and no rule's pattern goes quadratic on a
// body of one long word (the fuzz generator's padded JSON) — a hang would end this test by timeout.
import { describe, expect, it } from 'vitest';
import { RULES } from '../../../src/diagnosis/catalogue.js';
import { diagnose } from '../../../src/diagnosis/engine.js';
import { ARTIFACT_URL, REST, mlflow, passExperiments, upToArtifact, upToExperiments } from './evidence.js';

const MiB = 1024 * 1024;

describe('rules over a body as long as the read cap', () => {
  it('run in one pass over a 1 MiB run of one word, a padded JSON, and markup', () => {
    for (const body of ['{"experiments": [], "pad": "' + 'a'.repeat(MiB), '<' + 'b'.repeat(MiB), `"error_code": "${'A'.repeat(MiB)}`]) {
      const c = upToArtifact();
      const x = c.x({
        step: 'artifact',
        label: 'PUT artifact',
        method: 'PUT',
        url: ARTIFACT_URL,
        reqSize: 10,
        answer: { status: 500, headers: [['content-type', 'application/json']], body: body.slice(0, 2048) },
      });
      x.response!.bodyText = body;
      x.response!.bodySize = body.length;
      c.step('artifact', 'fail', 'PUT: 500');
      c.step('register', 'blocked', 'blocked by artifact');
      const ev = c.evidence();
      for (const r of RULES) expect(() => r.match(ev), r.meta.code).not.toThrow();
    }
  });

  it("find MLflow's database error named past the excerpt", () => {
    const c = upToExperiments();
    passExperiments(c);
    const message = `${'x'.repeat(3000)} (sqlite3.OperationalError) database is locked`;
    const x = c.x({
      step: 'run',
      label: 'runs/create',
      method: 'POST',
      url: `${REST}/runs/create`,
      answer: mlflow(500, { error_code: 'INTERNAL_ERROR', message }),
    });
    x.response!.bodyText = x.response!.bodyExcerpt;
    x.response!.bodyExcerpt = x.response!.bodyExcerpt.slice(0, 2048);
    c.step('run', 'fail', '500 INTERNAL_ERROR');
    const root = diagnose(c.evidence()).find((f) => f.rootCause);
    expect(root?.code).toBe('MLFLOW_BACKEND_ERROR');
    expect(root?.cause).toMatch(/database is locked/);
  });
});
