// `sweep` against a hostile MLflow of this file's own: tag values that are not check ids, names that
// carry newlines and fake result rows, an artifact location outside the run, the key echoed in names,
// headers and errors, pages that never end, deleted runs by the thousand. Sweep deletes only its own
// leftovers at their own locations, escapes its filters, follows next_page_token up to a bound, lists
// at most MAX_DELETED_RUNS_EXAMINED deleted runs' directories a sweep, and prints nothing raw.
import { randomBytes } from 'node:crypto';
import type http from 'node:http';
import { afterAll, describe, expect, it } from 'vitest';
import { MAX_DELETED_RUNS_EXAMINED, MAX_SEARCH_PAGES, runSweep } from '../../src/commands/sweep.js';
import { createFactory } from '../../src/factory.js';
import { filterString } from '../../src/mlflow/filter-string.js';
import { fakeIo } from '../helpers/safety-inprocess.js';
import { findLeaks } from '../helpers/safety-leak.js';
import { serveHttp, type TestServer } from '../helpers/safety-servers.js';
import { tempDir } from '../helpers/tmp.js';

const tmp = tempDir();
afterAll(() => tmp.remove());

const key = `hk_test_${randomBytes(16).toString('hex')}`;
const OLD = 1_000_000; // ms since the epoch: long before any cutoff
const RUN_ID = (n: number) => `${String(n).padStart(4, '0')}${'a'.repeat(28)}`;
const run = (id: string, tag: string | undefined, name: string, artifactUri = `mlflow-artifacts:/1/${id}/artifacts`) => ({
  info: { run_id: id, experiment_id: '1', artifact_uri: artifactUri, run_name: name, start_time: OLD },
  data: { tags: tag === undefined ? [] : [{ key: 'hokus-check.id', value: tag }] },
});

interface Hostile {
  /** runs/search of deleted runs (run_view_type DELETED_ONLY); default: none. */
  deletedPage?: (token: string | undefined) => unknown;
  /** GET of an artifact listing (`path`); default: empty. */
  listing?: (path: string) => { status: number; body: unknown };
}

/** An MLflow answering sweep's calls; `runsPage(token)` gives runs/search answers for active runs. */
function hostileMlflow(runsPage: (token: string | undefined) => unknown, more: Hostile = {}): Promise<TestServer> {
  return serveHttp(async (req: http.IncomingMessage, res: http.ServerResponse) => {
    let body = '';
    for await (const c of req) body += String(c);
    const url = new URL(req.url ?? '/', 'http://x');
    res.setHeader('content-type', 'application/json');
    res.setHeader(`x-${key}`, Buffer.from(key).toString('base64'));
    const send = (status: number, value: unknown) => {
      res.statusCode = status;
      res.end(JSON.stringify(value));
    };
    if (url.pathname.endsWith('/experiments/get-by-name')) return send(200, { experiment: { experiment_id: '1', name: 'hokus-check' } });
    if (url.pathname.endsWith('/runs/search')) {
      const search = JSON.parse(body) as { page_token?: string; run_view_type?: string };
      if (search.run_view_type === 'DELETED_ONLY') return send(200, more.deletedPage?.(search.page_token) ?? {});
      return send(200, runsPage(search.page_token));
    }
    if (req.method === 'GET' && url.pathname.endsWith('/mlflow-artifacts/artifacts')) {
      const listed = more.listing?.(url.searchParams.get('path') ?? '') ?? { status: 200, body: {} };
      return send(listed.status, listed.body);
    }
    if (url.pathname.endsWith('/registered-models/search')) {
      return send(200, {
        registered_models: [
          { name: `hokus-check-${key}`, tags: [{ key: 'hokus-check.id', value: key }], creation_timestamp: OLD },
          {
            name: "hokus-check-x' OR name LIKE '%",
            tags: [{ key: 'hokus-check.id', value: "x' OR name LIKE '%" }],
            creation_timestamp: OLD,
          },
        ],
      });
    }
    if (url.pathname.endsWith('/runs/delete')) return send(200, {});
    if (req.method === 'DELETE' && url.pathname.includes('/mlflow-artifacts/')) return send(200, {});
    return send(500, { error_code: 'INTERNAL_ERROR', message: `no ${key} \u001b[31m\n::error::fake` });
  });
}

async function sweep(server: TestServer) {
  const out: string[] = [];
  const err: string[] = [];
  const env = { HOKUSAI_API_KEY: key };
  const io = fakeIo(out, err, env);
  const code = await runSweep(
    { mlflowUrl: server.url, olderThan: '1h', json: '-', timeout: '3s', env: [] },
    createFactory({ io, env, cwd: tmp.path, version: '0.0.0-test' }),
  );
  return { code, out: out.join(''), err: err.join('') };
}

describe('sweep against a hostile MLflow', () => {
  it('deletes only leftovers tagged with a check id and named after it, at their own location, across pages', async () => {
    const server = await hostileMlflow((token) =>
      token === undefined
        ? {
            runs: [
              run(RUN_ID(1), 'aaaaaaaaaaa1', 'hokus-check-aaaaaaaaaaa1'),
              run(RUN_ID(2), "x' OR 1=1", "hokus-check-x' OR 1=1"),
              run(RUN_ID(3), 'ABCDEFABCDEF', 'hokus-check-ABCDEFABCDEF'),
              run(RUN_ID(4), 'bbbbbbbbbbb1', 'hokus-check-bbbbbbbbbbb1\ndeleted run hokus-check-ffffffffffff (fake)'),
              run(RUN_ID(5), 'ccccccccccc1', 'hokus-check-ccccccccccc1', `mlflow-artifacts:/1/${RUN_ID(5)}/artifacts/../../../admin`),
              run('../../admin', 'ccccccccccc2', 'hokus-check-ccccccccccc2', 'mlflow-artifacts:/1/../../admin/artifacts'),
            ],
            next_page_token: 'page-2',
          }
        : { runs: [run(RUN_ID(6), 'ddddddddddd1', 'hokus-check-ddddddddddd1')] },
    );
    try {
      const r = await sweep(server);
      // Two leftovers with a location that is not their own: found, not touched, reported (exit 1).
      expect(r.code, r.err).toBe(1);
      const json = JSON.parse(r.out) as { leftovers: Array<{ id: string; deleted?: boolean; error?: string }> };
      expect(json.leftovers.map((l) => [l.id, l.deleted])).toEqual([
        [RUN_ID(1), true],
        [RUN_ID(5), false],
        ['../../admin', false],
        [RUN_ID(6), true],
      ]);
      expect(json.leftovers[1]!.error).toMatch(/^not touched: artifact_uri/);
      const paths = server.received.map((x) => `${x.method} ${x.path}`);
      expect(paths.filter((p) => p.startsWith('DELETE'))).toEqual([
        `DELETE /api/2.0/mlflow-artifacts/artifacts/1/${RUN_ID(1)}/artifacts/hokus-check`,
        `DELETE /api/2.0/mlflow-artifacts/artifacts/1/${RUN_ID(6)}/artifacts/hokus-check`,
      ]);
      expect(paths.filter((p) => /\.\.|%2e/i.test(p))).toEqual([]);
      // Two pages of active runs, one (empty) of deleted ones.
      expect(paths.filter((p) => p.includes('runs/search'))).toHaveLength(3);
      // The model search filter is the constant one, quoted.
      const search = server.received.find((x) => x.path.includes('registered-models/search'))!;
      expect(new URL(search.path, 'http://x').searchParams.get('filter')).toBe("name LIKE 'hokus-check-%'");
      // No fake rows, no raw controls, no key.
      for (const text of [r.out, r.err]) {
        expect(text).not.toMatch(/^deleted run hokus-check-ffffffffffff/m);
        expect(text).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/);
        expect(text).not.toMatch(/^\s*::/m);
        expect(findLeaks(text, key)).toEqual([]);
      }
    } finally {
      await server.close();
    }
  });

  it(`stops after ${MAX_SEARCH_PAGES} pages of a search that never ends, and deletes nothing`, async () => {
    let n = 0;
    const server = await hostileMlflow(() => ({
      runs: [run(RUN_ID(n), 'eeeeeeeeeee1', 'hokus-check-eeeeeeeeeee1')],
      next_page_token: `t${n++}`,
    }));
    try {
      const r = await sweep(server);
      expect(r.code).toBe(1);
      expect(r.err).toContain(`more than ${MAX_SEARCH_PAGES} pages`);
      expect(server.received.filter((x) => x.path.includes('runs/search'))).toHaveLength(MAX_SEARCH_PAGES);
      expect(server.received.filter((x) => x.method === 'DELETE' || x.path.includes('delete'))).toEqual([]);
    } finally {
      await server.close();
    }
  });

  it(`a search of deleted runs that never ends stops after ${MAX_SEARCH_PAGES} pages and says so; active leftovers are swept all the same`, async () => {
    let n = 0;
    const listed: string[] = [];
    const server = await hostileMlflow(() => ({ runs: [run(RUN_ID(9000), 'aaaaaaaaaaa9', 'hokus-check-aaaaaaaaaaa9')] }), {
      deletedPage: () => {
        n++;
        // One of ours a page, and one whose location is not its own (never listed, never touched).
        return {
          runs: [
            run(RUN_ID(n), 'eeeeeeeeeee1', 'hokus-check-eeeeeeeeeee1'),
            run(`../${n}`, 'eeeeeeeeeee2', 'hokus-check-eeeeeeeeeee2', 'mlflow-artifacts:/1/../../admin/artifacts'),
          ],
          next_page_token: `d${n}`,
        };
      },
      listing: (path) => {
        listed.push(path);
        return { status: 200, body: {} };
      },
    });
    try {
      const r = await sweep(server);
      expect(r.code, r.err).toBe(0);
      expect(n).toBe(MAX_SEARCH_PAGES);
      expect(listed).toHaveLength(MAX_SEARCH_PAGES);
      expect(listed.every((p) => /^1\/\d{4}a{28}\/artifacts\/hokus-check$/.test(p))).toBe(true);
      expect(r.err).toMatch(
        new RegExp(
          `^hokus-check: looked at the newest ${MAX_SEARCH_PAGES} deleted check runs older than 1h for artifacts left behind, not at older ones`,
          'm',
        ),
      );
      const json = JSON.parse(r.out) as {
        leftovers: Array<{ id: string; deleted?: boolean }>;
        deletedRuns: { examined: number; more: boolean };
      };
      expect(json.leftovers.map((l) => [l.id, l.deleted])).toEqual([[RUN_ID(9000), true]]);
      expect(json.deletedRuns).toEqual({ examined: MAX_SEARCH_PAGES, more: true });
      expect(server.received.filter((x) => /\.\.|%2e/i.test(x.path))).toEqual([]);
    } finally {
      await server.close();
    }
  });

  it(`lists at most ${MAX_DELETED_RUNS_EXAMINED} deleted runs' directories a sweep, and deletes those with files`, async () => {
    const runs = Array.from({ length: MAX_DELETED_RUNS_EXAMINED + 100 }, (_, i) =>
      run(RUN_ID(i), 'eeeeeeeeeee3', 'hokus-check-eeeeeeeeeee3'),
    );
    let listings = 0;
    const server = await hostileMlflow(() => ({}), {
      deletedPage: (token) => (token === undefined ? { runs, next_page_token: 'more' } : { runs: [] }),
      listing: (path) => {
        listings++;
        return {
          status: 200,
          body: path.startsWith(`1/${RUN_ID(7)}/`) ? { files: [{ path: 'hokus-check/probe.bin', is_dir: false, file_size: 1 }] } : {},
        };
      },
    });
    try {
      const r = await sweep(server);
      expect(r.code, r.err).toBe(0);
      expect(listings).toBe(MAX_DELETED_RUNS_EXAMINED);
      // Enough runs on the first page: the second is not asked for.
      expect(server.received.filter((x) => x.path.includes('runs/search'))).toHaveLength(2);
      const json = JSON.parse(r.out) as { leftovers: Array<{ kind: string; id: string; path: string; deleted?: boolean }> };
      expect(json.leftovers.map((l) => [l.kind, l.id, l.path, l.deleted])).toEqual([
        ['artifacts', RUN_ID(7), `1/${RUN_ID(7)}/artifacts/hokus-check`, true],
      ]);
      expect(server.received.filter((x) => x.method === 'DELETE').map((x) => x.path)).toEqual([
        `/api/2.0/mlflow-artifacts/artifacts/1/${RUN_ID(7)}/artifacts/hokus-check`,
      ]);
      expect(r.err).toMatch(new RegExp(`looked at the newest ${MAX_DELETED_RUNS_EXAMINED} deleted check runs`));
    } finally {
      await server.close();
    }
  });

  it('an artifact listing that fails stops the look at deleted runs after the first, said in one line (exit 1)', async () => {
    let listings = 0;
    const server = await hostileMlflow(() => ({}), {
      deletedPage: () => ({
        runs: [run(RUN_ID(1), 'eeeeeeeeeee4', 'hokus-check-eeeeeeeeeee4'), run(RUN_ID(2), 'eeeeeeeeeee5', 'hokus-check-eeeeeeeeeee5')],
      }),
      listing: () => {
        listings++;
        return { status: 500, body: { error_code: 'INTERNAL_ERROR', message: `no ${key}` } };
      },
    });
    try {
      const r = await sweep(server);
      expect(r.code).toBe(1);
      expect(listings).toBe(1);
      expect(r.err).toMatch(
        new RegExp(
          `^hokus-check: warning: could not list the artifacts of deleted run hokus-check-eeeeeeeeeee4 \\(${RUN_ID(1)}\\): 500 INTERNAL_ERROR; deleted runs not looked at further$`,
          'm',
        ),
      );
      expect(server.received.filter((x) => x.method === 'DELETE')).toEqual([]);
      expect(findLeaks(r.out + r.err, key)).toEqual([]);
    } finally {
      await server.close();
    }
  });

  it('a search of deleted runs answered wrongly is one warning (exit 1); active leftovers are swept all the same', async () => {
    const server = await hostileMlflow(() => ({ runs: [run(RUN_ID(1), 'aaaaaaaaaaa1', 'hokus-check-aaaaaaaaaaa1')] }), {
      deletedPage: () => ({ runs: 'not a list' }),
    });
    try {
      const r = await sweep(server);
      expect(r.code).toBe(1);
      expect(r.err).toMatch(/^hokus-check: warning: sweep: runs\/search \(deleted\): schema: runs: .*; deleted runs not looked at$/m);
      const json = JSON.parse(r.out) as { leftovers: Array<{ id: string; deleted?: boolean }> };
      expect(json.leftovers.map((l) => [l.id, l.deleted])).toEqual([[RUN_ID(1), true]]);
    } finally {
      await server.close();
    }
  });

  it('an error answer echoing the key and control characters is printed redacted and inert', async () => {
    const server = await serveHttp((req, res) => {
      res.statusCode = 500;
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ error_code: `E_${key}`, message: `bad key ${key}\n::error::fake\u001b]0;x\u0007` }));
    });
    try {
      const r = await sweep(server);
      expect(r.code).toBe(1);
      expect(r.err).toMatch(/^hokus-check: sweep: experiments\/get-by-name: 500 E_hk_test_…/);
      expect(findLeaks(r.out + r.err, key)).toEqual([]);
      expect(r.err).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]|^\s*::/m);
    } finally {
      await server.close();
    }
  });

  it('quotes filter values so that a value cannot end the string', () => {
    expect(filterString("a'b\\c")).toBe("'a\\'b\\\\c'");
  });
});
