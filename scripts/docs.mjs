// Regenerates the README's diagnosis-code table from the rules' own meta (run `npm run docs`),
// so the README and `hokus-check explain` cannot drift; test/unit/docs.test.ts checks it.
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';

const table = execFileSync(process.execPath, ['bin/hokus-check.js', 'explain', '--markdown'], { encoding: 'utf8' });
const readme = readFileSync('README.md', 'utf8');
const start = '<!-- catalogue:start -->';
const end = '<!-- catalogue:end -->';
const i = readme.indexOf(start);
const j = readme.indexOf(end);
if (i < 0 || j < i) throw new Error('README.md has no catalogue markers');
writeFileSync('README.md', `${readme.slice(0, i + start.length)}\n${table}${readme.slice(j)}`);
