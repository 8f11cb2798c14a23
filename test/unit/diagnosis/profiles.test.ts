// The profiles' header and page tables (src/diagnosis/profiles/) against real answers: MLflow 2.12.2 (gunicorn)
// and 3.5.1 (uvicorn) recordings, and the pages the real proxies of the test suite sent.
import { describe, expect, it } from 'vitest';
import { fingerprint } from '../../../src/diagnosis/fingerprint.js';
import { HEADER_SIGNATURES, MLFLOW_ERROR_CODES, PAGE_SIGNATURES } from '../../../src/diagnosis/profiles/index.js';
import { readTranscript, type Recorded } from '../../helpers/mlflow-transcript.js';
import { AUTH, Check, PLAIN, REGISTRY, api, type Answer } from './evidence.js';
import { PAGES } from './proxy-pages.js';

function recording(version: string): Recorded[] {
  return readTranscript(new URL(`../../fixtures/mlflow-${version}/transcript.jsonl`, import.meta.url));
}

function answerOf(r: Recorded): Answer {
  return { status: r.status, headers: Object.entries(r.response_headers), body: r.response_body };
}

/** Fingerprint as the engine does for a plain MLflow target at PLAIN (an --mlflow-url check). */
function onPlainMlflow(answer: Answer, path: string) {
  const x = new Check({ kind: 'mlflow', mlflowUrl: PLAIN, mlflowPath: '' }).x({
    step: 'experiments',
    label: 'recorded',
    url: `${PLAIN}${path}`,
    answer,
  });
  return fingerprint(x, { mlflowOrigins: [PLAIN] });
}

describe('profile tables', () => {
  it('gives every signature a source', () => {
    for (const sig of [...HEADER_SIGNATURES, ...PAGE_SIGNATURES]) expect(sig.source.length, String(sig.component)).toBeGreaterThan(20);
  });

  for (const version of ['2.12.2', '3.5.1']) {
    it(`knows every error_code MLflow ${version} answered with`, () => {
      const codes = recording(version).flatMap((r) => /"error_code":\s*"([A-Z_]+)"/.exec(r.response_body)?.[1] ?? []);
      expect(codes.length).toBeGreaterThan(5);
      expect(codes.filter((c) => !MLFLOW_ERROR_CODES.has(c))).toEqual([]);
    });

    it(`names MLflow for every answer MLflow ${version} gave to a plain MLflow check (server: ${version === '3.5.1' ? 'uvicorn' : 'gunicorn'})`, () => {
      const wrong = recording(version)
        .filter((r) => r.response_body !== '' && !/Invalid Host header|Cross-origin request blocked/.test(r.response_body))
        .map((r) => ({ path: `${r.method} ${r.path}`, who: onPlainMlflow(answerOf(r), r.path).responder }))
        .filter((r) => r.who !== 'mlflow');
      expect(wrong).toEqual([]);
    });
  }

  it("does not take uvicorn alone for the Hokusai API: the same header names MLflow on MLflow's own origin", () => {
    const internalError: Answer = {
      status: 500,
      headers: [
        ['server', 'uvicorn'],
        ['content-type', 'text/plain; charset=utf-8'],
      ],
      body: 'Internal Server Error',
    };
    expect(onPlainMlflow(internalError, '/api/2.0/mlflow/runs/create').responder).toBe('mlflow');
    const onRegistry = new Check().x({
      step: 'experiments',
      label: 'x',
      url: `${REGISTRY}/api/mlflow/api/2.0/mlflow/runs/create`,
      answer: internalError,
    });
    expect(fingerprint(onRegistry, { authOrigin: AUTH }).responder).toBe('hokusai-api');
    // A FastAPI detail from the registry is still the API's own.
    const detail = new Check().x({
      step: 'experiments',
      label: 'x',
      url: `${REGISTRY}/api/mlflow/api/2.0/mlflow/runs/create`,
      answer: api(404, { detail: 'Not Found' }),
    });
    expect(fingerprint(detail, { authOrigin: AUTH }).responder).toBe('hokusai-api');
  });

  it('names the proxy for every page a real proxy sent, MLflow for none of them', () => {
    const named = PAGES.map((p) => {
      const x = new Check().x({
        step: 'experiments',
        label: p.fault,
        method: p.method,
        url: `${REGISTRY}${p.path}`,
        answer: { status: p.status, headers: p.headers, body: p.body },
      });
      return {
        page: `${p.proxy} ${p.status} ${p.fault}`,
        who: fingerprint(x, { authOrigin: AUTH }).responder,
        proxy: p.proxy,
        bodyless: !p.headers.some(([n]) => n === 'server'),
      };
    });
    expect(named.filter((n) => n.who === 'mlflow')).toEqual([]);
    // HAProxy's `http-request return` and redirects carry no Server header and no page of its own.
    expect(named.filter((n) => !n.bodyless && n.who !== n.proxy)).toEqual([]);
  });

  it("says a JSON 404 with an error_code MLflow never uses is not MLflow's", () => {
    const x = new Check().x({
      step: 'artifact',
      label: 'PUT artifact',
      method: 'PUT',
      url: `${REGISTRY}/api/mlflow/api/2.0/mlflow-artifacts/artifacts/1/x.bin`,
      answer: {
        status: 404,
        headers: [
          ['server', 'nginx/1.22.1'],
          ['content-type', 'application/json'],
        ],
        body: '{"error_code":"ROUTE_NOT_FOUND","message":"no route"}',
      },
    });
    expect(fingerprint(x, { authOrigin: AUTH }).responder).toBe('nginx');
  });
});
