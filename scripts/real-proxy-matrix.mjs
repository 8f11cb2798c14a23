// Prints the real-proxy matrix (proxy × fault → exit code, root step, code, responder) that the last
// `npx vitest run test/real-proxies/` wrote under the OS temp dir, as a Markdown table in the
// matrix's own order (test/real-proxies/matrix.ts). Usage: `npm run matrix` (runs the tests first).
import { existsSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const dir = path.join(os.tmpdir(), 'hokus-check-real-proxies');
const proxies = ['nginx', 'haproxy', 'apache', 'caddy', 'mitmproxy', 'node-gateway'];
const rows = proxies.flatMap((p) => {
  const file = path.join(dir, `matrix-${p}.tsv`);
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((l) => l.split('\t'));
});
if (rows.length === 0) {
  console.error(`no matrix under ${dir}: run \`npx vitest run test/real-proxies/\` first`);
  process.exit(2);
}
// The matrix's order of faults, as the cells are declared.
const declared = [
  ...readFileSync(new URL('../test/real-proxies/matrix.ts', import.meta.url), 'utf8').matchAll(/fault: (['"])(.*?)\1,/g),
].map((m) => m[2]);
const order = (fault) => declared.indexOf(fault) + 1 || 999;
rows.sort((a, b) => proxies.indexOf(a[0]) - proxies.indexOf(b[0]) || order(a[1]) - order(b[1]));
console.log(`Real-proxy matrix (from ${dir})\n`);
console.log('| proxy | fault | exit | root step | code | responder | status |');
console.log('| --- | --- | --- | --- | --- | --- | --- |');
for (const r of rows) console.log(`| ${r.join(' | ')} |`);

// `--pages`: refresh test/fixtures/proxies/pages.json from the answers the run captured (the proxies'
// own answers only: those written by the embedded MLflow or API behind them are left out).
if (process.argv.includes('--pages')) {
  const pages = proxies.flatMap((p) => {
    const file = path.join(dir, `pages-${p}.jsonl`);
    return existsSync(file)
      ? readFileSync(file, 'utf8')
          .trim()
          .split('\n')
          .filter(Boolean)
          .map((l) => JSON.parse(l))
      : [];
  });
  const own = pages
    // Who answered, as the check named it: MLflow or the API behind the proxy wrote these, not the proxy.
    .filter((r) => r.responder !== 'mlflow' && r.responder !== 'hokusai-api')
    .map(({ proxy, fault, method, path: p, status, headers, body }) => ({
      proxy,
      fault,
      method,
      path: p.replace(/\/[0-9a-f]{32}\//, '/RUN/').replace(/probe-[0-9a-f]+/, 'probe-ID'),
      status,
      headers,
      // A redirect page names the port of this run.
      body: body.replace(/127\.0\.0\.1:\d+/g, '127.0.0.1:PORT'),
    }))
    .sort((a, b) => `${a.proxy} ${a.fault}`.localeCompare(`${b.proxy} ${b.fault}`));
  const out = new URL('../test/fixtures/proxies/pages.json', import.meta.url);
  (await import('node:fs')).writeFileSync(out, `${JSON.stringify(own, null, 1)}\n`);
  console.log(`\nwrote ${own.length} captured answers to test/fixtures/proxies/pages.json`);
}
