// The README's table of diagnosis codes is generated from the rules (npm run docs): it must match.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { catalogueMarkdown } from '../../src/report/explain.js';

describe('README', () => {
  it('lists every diagnosis code exactly as the catalogue defines it (run `npm run docs` after changing a rule)', () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    const section = readme.split('<!-- catalogue:start -->\n')[1]?.split('<!-- catalogue:end -->')[0];
    expect(section).toBe(catalogueMarkdown());
  });
});
