// Bundles src/ into dist/ with esbuild: ESM, code-split so that each command's modules load only
// when that command runs (cold start of --version/--help stays near bare Node). Dependencies are
// bundled too: one file read per chunk instead of resolving and loading over a hundred files from
// node_modules (~80 ms of a check's start-up on the bench machine; see bench/README.md).
import { build } from 'esbuild';
import { existsSync, readFileSync, rmSync } from 'node:fs';

const pkg = JSON.parse(readFileSync('package.json', 'utf8'));

// --no-clean (the test setup) overwrites in place, so a CLI spawned meanwhile by another test run
// never finds dist/ missing.
if (!process.argv.includes('--no-clean')) rmSync('dist', { recursive: true, force: true });
await build({
  entryPoints: { cli: 'src/cli.ts' },
  outdir: 'dist',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  // CommonJS dependencies (undici, commander) call require() for node built-ins; in an ES module
  // that needs a require of its own.
  banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
  plugins: [leanUndici(), leanDependencies()],
  sourcemap: 'linked',
  logLevel: 'warning',
  chunkNames: 'chunks/[name]-[hash]',
  define: { __VERSION__: JSON.stringify(pkg.version) },
});

/**
 * The HTTP client needs undici's Agent, Pool, ProxyAgent and connector, but undici's index
 * also loads fetch, WebSocket, cookies, caches and mocks (~30 ms of every check's start-up). For
 * src/http/dispatcher.ts, 'undici' is those four from their own modules, with the request API that
 * the index would have added to Dispatcher. Everything else importing 'undici' (--post-report) gets
 * the whole index. If a future undici moves these files, the build falls back to the index.
 */
function leanUndici() {
  const parts = {
    Dispatcher: 'undici/lib/dispatcher/dispatcher.js',
    api: 'undici/lib/api/index.js',
    Agent: 'undici/lib/dispatcher/agent.js',
    Pool: 'undici/lib/dispatcher/pool.js',
    ProxyAgent: 'undici/lib/dispatcher/proxy-agent.js',
    buildConnector: 'undici/lib/core/connect.js',
  };
  const available = Object.values(parts).every((p) => existsSync(`node_modules/${p}`));
  if (!available) console.warn('build: undici layout changed; bundling the whole undici index');
  return {
    name: 'lean-undici',
    setup(b) {
      if (!available) return;
      b.onResolve({ filter: /^undici$/ }, (args) =>
        args.importer.replaceAll('\\', '/').endsWith('src/http/dispatcher.ts') ? { path: 'undici', namespace: 'lean-undici' } : undefined,
      );
      b.onLoad({ filter: /.*/, namespace: 'lean-undici' }, () => ({
        resolveDir: process.cwd(),
        loader: 'js',
        contents: [
          `const Dispatcher = require('${parts.Dispatcher}');`,
          `Object.assign(Dispatcher.prototype, require('${parts.api}'));`,
          `exports.Agent = require('${parts.Agent}');`,
          `exports.Pool = require('${parts.Pool}');`,
          `exports.ProxyAgent = require('${parts.ProxyAgent}');`,
          `exports.buildConnector = require('${parts.buildConnector}');`,
        ].join('\n'),
      }));
    },
  };
}

/**
 * What the check's path loads from its dependencies but never runs, left out or loaded on first use
 * (bench/README.md, CPU per check):
 * - undici's HTTP/2 client: it loads node:http2 (~12 ms) at start-up; the dispatchers never offer h2
 *   (undici 7's allowH2 defaults to false, src/http/dispatcher.ts), so ALPN can only pick http/1.1.
 * - zod's ~45 locales (366 KB of the bundle): zod loads its messages in English itself
 *   (zod/v4/classic/external.js `config(en())`); `z.locales` is never used here.
 * - commander's node:child_process (and with it net, dgram, …): only its executable subcommands
 *   use it, which this CLI has none of. Loaded on first use instead.
 * - string-width: its module start compiles \p{RGI_Emoji} (v flag) and an Intl.Segmenter, ~40 ms of
 *   CPU; src/report/columns.ts measures ASCII and the report's symbols itself and needs it only for
 *   other text. Evaluated on first use instead (esbuild wraps a module that is require()d).
 */
function leanDependencies() {
  const stubs = [
    {
      what: 'undici client-h2',
      filter: /^\.\/client-h2\.js$/,
      importer: /undici\/lib\/dispatcher\/client\.js$/,
      contents: "module.exports = function connectH2() { throw new Error('hokus-check speaks HTTP/1.1 only'); };",
    },
    {
      what: 'zod locales',
      filter: /^\.\.\/locales\/index\.js$/,
      importer: /zod\/v4\/(classic|core|mini)\/[a-z-]+\.js$/,
      contents: "export { default as en } from 'zod/v4/locales/en.js';",
    },
    {
      what: "commander's child_process",
      filter: /^node:child_process$/,
      importer: /commander\/lib\/command\.js$/,
      contents: "module.exports = new Proxy({}, { get: (_, name) => require('node:child_process')[name] });",
    },
    {
      what: 'string-width, evaluated on first use',
      filter: /^string-width$/,
      importer: /src\/report\/columns\.ts$/,
      contents:
        "let measure; export default function stringWidth(s, o) { measure ??= require('string-width').default; return measure(s, o); }",
    },
  ];
  return {
    name: 'lean-dependencies',
    setup(b) {
      stubs.forEach((stub, i) => {
        b.onResolve({ filter: stub.filter }, (args) =>
          stub.importer.test(args.importer.replaceAll('\\', '/')) ? { path: String(i), namespace: 'lean-dependencies' } : undefined,
        );
      });
      b.onLoad({ filter: /.*/, namespace: 'lean-dependencies' }, (args) => ({
        resolveDir: process.cwd(),
        loader: 'js',
        contents: stubs[Number(args.path)].contents,
      }));
    },
  };
}
