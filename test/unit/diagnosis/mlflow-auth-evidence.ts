// Hand-built checks of a plain MLflow server with MLflow's own authentication
// (`mlflow server --app-name basic-auth`), its answers verbatim from
// test/fixtures/mlflow-2.12.2-basic-auth/transcript.jsonl (exchanges 3, 21, 68), and the
// look-alikes other components write: nginx's auth_basic login page (any realm), a hop's own
// "Permission denied". Header names lower case, as the HTTP client records them.
import type { Evidence, SentCredentials } from '../../../src/diagnosis/types.js';
import type { Exchange, Header } from '../../../src/http/types.js';
import { Check, PLAIN, blockedBy, mlflow, type Answer } from './evidence.js';
import { proxyPage } from './proxy-pages.js';

const REST = `${PLAIN}/api/2.0/mlflow`;
const DATE = 'Mon, 07 Dec 2026 06:59:16 GMT';

/** Transcript exchange 3 (no credentials), 21 (wrong password), 30 (a Bearer token): byte-identical. */
export const MLFLOW_NOT_AUTHENTICATED =
  'You are not authenticated. Please see https://www.mlflow.org/docs/latest/auth/index.html#authenticating-to-mlflow on how to authenticate.';

export function mlflowLogin401(): Answer {
  return {
    status: 401,
    headers: [
      ['server', 'gunicorn'],
      ['date', DATE],
      ['connection', 'close'],
      ['content-type', 'text/html; charset=utf-8'],
      ['content-length', '137'],
      ['www-authenticate', 'Basic realm="mlflow"'],
    ],
    body: MLFLOW_NOT_AUTHENTICATED,
  };
}

/** MLflow's 401 passed on by the API's proxy: uvicorn's server header first, MLflow's challenge and words kept. */
export function mlflowLogin401ViaProxy(): Answer {
  return {
    status: 401,
    headers: [
      ['server', 'uvicorn'],
      ['server', 'gunicorn'],
      ['content-type', 'text/html; charset=utf-8'],
      ['www-authenticate', 'Basic realm="mlflow"'],
    ],
    body: MLFLOW_NOT_AUTHENTICATED,
  };
}

/** Transcript exchange 68: alice's runs/create in admin's experiment. */
export function mlflowPermissionDenied(): Answer {
  return {
    status: 403,
    headers: [
      ['server', 'gunicorn'],
      ['date', DATE],
      ['connection', 'close'],
      ['content-type', 'text/html; charset=utf-8'],
      ['content-length', '17'],
    ],
    body: 'Permission denied',
  };
}

/** nginx's own auth_basic page (captured, test/fixtures/proxies), with the realm given. */
export function nginxLogin(realm: string): Answer {
  const page = proxyPage('nginx', 401, /registry/);
  return {
    ...page,
    headers: page.headers.map(([n, v]): Header => (n.toLowerCase() === 'www-authenticate' ? [n, `Basic realm="${realm}"`] : [n, v])),
  };
}

const NO_AUTH: Header[] = [];
const BASIC: Header[] = [['authorization', 'Basic <redacted>']];
const BEARER: Header[] = [['authorization', 'Bearer mlf…abcd']];

function sent(x: Exchange, headers: Header[]): Exchange {
  x.request.headers = [...headers];
  return x;
}

/** A plain MLflow target: auth skipped, /health answers "OK", /version `version` (401 behind the login). */
function plainTarget(credentials: Header[], version: Answer): Check {
  const c = new Check({ name: 'default', kind: 'mlflow', registryUrl: undefined, authUrl: undefined, mlflowUrl: PLAIN, mlflowPath: '' });
  c.step('auth', 'skipped', 'plain MLflow target: no auth service');
  sent(c.x({ step: 'health', label: 'GET /health', url: `${PLAIN}/health`, answer: mlflow(200, 'OK') }), credentials);
  sent(c.x({ step: 'health', label: 'GET /version', url: `${PLAIN}/version`, answer: version }), credentials);
  return c.step('health', 'pass', 'OK');
}

function searchFails(credentials: Header[], answer: Answer, sentCredentials?: SentCredentials): Evidence {
  const c = plainTarget(credentials, answer);
  sent(c.x({ step: 'experiments', label: 'experiments/search', url: `${REST}/experiments/search?max_results=1`, answer }), credentials);
  c.step('experiments', 'fail', `experiments/search: ${answer.status}`);
  blockedBy(c, 'experiments');
  const ev = c.evidence();
  return sentCredentials ? { ...ev, credentials: sentCredentials } : ev;
}

/** No credentials at all: MLflow's login refusal on experiments/search (transcript 3). */
export function mlflowAsksForLogin(): Evidence {
  return searchFails(NO_AUTH, mlflowLogin401());
}

/** MLFLOW_TRACKING_TOKEN sent as Bearer: the same 401 (transcript 30). */
export function mlflowIgnoresToken(): Evidence {
  return searchFails(BEARER, mlflowLogin401(), { scheme: 'bearer', from: 'MLFLOW_TRACKING_TOKEN' });
}

/** alice's Basic login refused (transcript 21). */
export function mlflowRejectsLogin(): Evidence {
  return searchFails(BASIC, mlflowLogin401(), {
    scheme: 'basic',
    from: 'MLFLOW_TRACKING_USERNAME/MLFLOW_TRACKING_PASSWORD',
    username: 'alice',
  });
}

/**
 * nginx auth_basic in front of a plain MLflow server, with `realm`: /health is exempt (MLflow's own "OK"
 * through the same origin), experiments/search gets nginx's own login page.
 */
export function nginxLoginInFront(realm: string, credentials: 'none' | 'basic' = 'none'): Evidence {
  const login = nginxLogin(realm);
  const c = new Check({ name: 'default', kind: 'mlflow', registryUrl: undefined, authUrl: undefined, mlflowUrl: PLAIN, mlflowPath: '' });
  const headers = credentials === 'basic' ? BASIC : NO_AUTH;
  c.step('auth', 'skipped', 'plain MLflow target: no auth service');
  sent(c.x({ step: 'health', label: 'GET /health', url: `${PLAIN}/health`, answer: mlflow(200, 'OK') }), headers);
  sent(c.x({ step: 'health', label: 'GET /version', url: `${PLAIN}/version`, answer: login }), headers);
  c.step('health', 'pass', 'OK');
  sent(c.x({ step: 'experiments', label: 'experiments/search', url: `${REST}/experiments/search?max_results=1`, answer: login }), headers);
  c.step('experiments', 'fail', 'experiments/search: 401');
  blockedBy(c, 'experiments');
  const ev = c.evidence();
  return credentials === 'basic'
    ? { ...ev, credentials: { scheme: 'basic', from: 'MLFLOW_TRACKING_USERNAME/MLFLOW_TRACKING_PASSWORD', username: 'alice' } }
    : ev;
}

/**
 * alice (logged in, default READ) and the shared `hokus-check` experiment that someone else made:
 * experiments/search passes, runs/create gets `refusal` (transcript 68).
 */
export function runCreateRefused(refusal: Answer = mlflowPermissionDenied(), search: Answer = mlflow(200, {})): Evidence {
  const c = plainTarget(BASIC, mlflow(200, '2.12.2'));
  sent(c.x({ step: 'experiments', label: 'experiments/search', url: `${REST}/experiments/search?max_results=1`, answer: search }), BASIC);
  c.step('experiments', 'pass', 'listed');
  sent(
    c.x({
      step: 'run',
      label: 'experiments/get-by-name',
      url: `${REST}/experiments/get-by-name?experiment_name=hokus-check`,
      answer: mlflow(200, { experiment: { experiment_id: '3', name: 'hokus-check', lifecycle_stage: 'active' } }),
    }),
    BASIC,
  );
  sent(
    c.x({
      step: 'run',
      label: 'runs/create',
      method: 'POST',
      url: `${REST}/runs/create`,
      reqBody: { experiment_id: '3' },
      answer: refusal,
    }),
    BASIC,
  );
  c.step('run', 'fail', `runs/create: ${refusal.status}`);
  blockedBy(c, 'run');
  return {
    ...c.evidence(),
    credentials: { scheme: 'basic', from: 'MLFLOW_TRACKING_USERNAME/MLFLOW_TRACKING_PASSWORD', username: 'alice' },
  };
}

/** A hop in front (nginx, naming itself apart from MLflow's gunicorn) answering its own 403 "Permission denied". */
export function hopSaysPermissionDenied(): Evidence {
  return runCreateRefused({
    status: 403,
    headers: [
      ['server', 'nginx/1.22.1'],
      ['content-type', 'text/plain'],
    ],
    body: 'Permission denied',
  });
}
