// Auth family: the key, the service_id it is valid for, the auth service's health, limits and
// permissions — read from the auth step's validate calls and from the API's own 401/403/429/503s.
import { errorWords, headerValue, readBody } from '../exchange-body.js';
import {
  apiMlflowProbeFailure,
  chainOf,
  earliestFailingStep,
  exchangesWhere,
  firstPerStep,
  hostOf,
  is2xx,
  isPassing,
  loginChallenge,
  needsExplaining,
  onRegistry,
  responderOf,
  statusOf,
  stepStatus,
  byHop,
  throughProxy,
  tlsPortProof,
} from '../evidence-query.js';
import { answerOnly, capitalise, decidedBy, describeAnswer, hopAt, nameOf, responderWords, sameWay } from '../words.js';
import { report, rule } from '../finding.js';
import { hopReading } from '../hop-situation.js';
import type { CheckExchange, Evidence, Finding, Rule, RuleMeta } from '../types.js';
import { PROBE } from '../probes/ids.js';

const keyInvalidMeta: RuleMeta = {
  code: 'AUTH_KEY_INVALID',
  family: 'auth',
  rank: { tier: 'auth-service', order: 2 },
  title: 'API key rejected',
  severity: 'error',
  docs: {
    means: 'The auth service does not accept the key for any service: it is wrong, revoked or expired.',
    detect:
      'POST /api/v1/keys/validate answers 401 both with the configured service_id and without one (or, with no auth URL, the registry answers 401 "Invalid or expired API key").',
    fix: 'Check that the env var named by apiKeyEnv holds the current key (no quotes, no newline, complete). Issue a new key if it was revoked or expired.',
    confirm: 'Rerun `hokus-check --only auth`: validate answers 200 with is_valid true.',
  },
};

const serviceIdMeta: RuleMeta = {
  code: 'AUTH_SERVICE_ID_MISMATCH',
  family: 'auth',
  rank: { tier: 'key', order: 1 },
  title: 'Key not valid for this service_id',
  severity: 'error',
  docs: {
    means:
      'The key is valid, but not for the service_id that was asked for: it was registered for another service (the incident: "ml-platform" sent, key registered for "platform").',
    detect:
      'validate answers 401 with {"service_id": <serviceId>} and 200 without a service_id; or the auth service accepts the key while the API (which validates with its own AUTH_SERVICE_ID) answers 401 "Invalid or expired API key".',
    fix: 'Use the service_id the key is registered for (--service-id, or serviceId in the config), or register the key for the service the API validates with (the API\'s AUTH_SERVICE_ID, default "platform").',
    confirm: 'Rerun `hokus-check --only auth,experiments`: both pass.',
  },
};

const serviceDownMeta: RuleMeta = {
  code: 'AUTH_SERVICE_DOWN',
  family: 'auth',
  rank: { tier: 'auth-service', order: 1 },
  title: 'Auth service unavailable',
  severity: 'error',
  docs: {
    means: 'The auth service is down or unreachable, so no key can be validated and every registry call fails.',
    detect:
      'validate answers 5xx or an HTML page (a load balancer\'s "503 Service Temporarily Unavailable"), or cannot be reached; or the API answers 503 (401 before June 2026) {"detail": "Authentication service error|timeout|unavailable"}.',
    fix: "Check the auth service's ECS tasks and target group health, its logs, and the API's HOKUSAI_AUTH_SERVICE_URL. If auth and registry share a load balancer, check its host rules route auth traffic to the auth service.",
    confirm: 'GET <authUrl>/health answers 200, then rerun `hokus-check --only auth`.',
  },
};

const rateLimitedMeta: RuleMeta = {
  code: 'AUTH_RATE_LIMITED',
  family: 'auth',
  rank: { tier: 'limit', order: 2 },
  title: 'Rate limited',
  severity: 'error',
  docs: {
    means: 'The key has used up its request allowance for now.',
    detect:
      "A request answered 429 from the Hokusai API, the auth service or MLflow (Retry-After and X-RateLimit-* headers are quoted when present); a reverse proxy's own 429 is GATEWAY_RATE_LIMITED.",
    fix: "Wait for the Retry-After period, use a key that is not shared with busy jobs, or raise the key's rate_limit_per_hour.",
    confirm: 'Rerun after the Retry-After period: no 429.',
  },
};

const scopeMeta: RuleMeta = {
  code: 'AUTH_SCOPE_MISSING',
  family: 'auth',
  rank: { tier: 'key', order: 4 },
  title: 'Key lacks a write scope',
  severity: 'error',
  docs: {
    means: 'The key is valid but may only read: creating runs, artifacts or models needs a write scope.',
    detect: 'A write answered 403 {"error": "FORBIDDEN", "required_scope": …, "current_scopes": […]} from the API.',
    fix: 'Issue a key with one of the write scopes: mlflow:write, model:write, mlflow:access, write, admin.',
    confirm: 'Rerun `hokus-check`: the run step passes.',
  },
};

const adminMeta: RuleMeta = {
  code: 'AUTH_ADMIN_REQUIRED',
  family: 'auth',
  rank: { tier: 'key', order: 3 },
  title: 'Registry restricted to admins',
  severity: 'error',
  docs: {
    means: 'The model registry is locked to registry admins (since 2026-06-30) and this key is not one.',
    detect: 'A registry call answered 403 {"error": "REGISTRY_ADMIN_REQUIRED"}.',
    fix: 'Use a key of a registry admin: is_admin, an email listed in REGISTRY_ADMIN_USER_EMAILS, or a scope/role in REGISTRY_ADMIN_SCOPES (default admin, mlflow:admin, registry:admin, model-registry:admin).',
    confirm: 'Rerun `hokus-check --only experiments`: it passes.',
  },
};

const headerStrippedMeta: RuleMeta = {
  code: 'AUTH_HEADER_STRIPPED',
  family: 'auth',
  rank: { tier: 'key', order: 2 },
  title: 'Proxy drops the API key',
  severity: 'error',
  docs: {
    means:
      'The API accepted the key, but MLflow (or its gateway) behind the proxy did not receive it: the proxy strips Authorization/X-API-Key before forwarding.',
    detect:
      'The auth step passed (or the API let a call through to MLflow), yet a proxied call answered 401 "API key required" from behind the API.',
    fix: 'Forward the Authorization and X-API-Key headers in the proxy (remove them from the header filter; only host and content-length must go), as done in PR #78.',
    confirm: 'Rerun `hokus-check --only experiments`: it passes.',
  },
};

const cacheMaskingMeta: RuleMeta = {
  code: 'AUTH_CACHE_MASKING',
  family: 'auth',
  rank: { tier: 'context', order: 4 },
  title: 'Registry still accepts a key auth rejects',
  severity: 'warn',
  docs: {
    means:
      'The auth service rejects the key (or is down) while the registry still accepts it: the API serves a cached validation (300 s TTL, 60 s in newer versions). The failure will surface for users once the cache expires.',
    detect: "validate answered 401, 5xx or nothing, while a call through the registry's proxy answered 2xx.",
    fix: 'Fix the auth failure now (see the root-cause finding); do not trust registry calls that pass right after a key change or an auth outage.',
    confirm: 'Rerun hokus-check after the cache TTL: auth and registry agree.',
  },
};

const SERVICE_TROUBLE = /Authentication service (error|timeout|unavailable)/i;
/** Transport failures that can mean the auth service itself is down. */
const SERVICE_DOWN_KINDS: ReadonlySet<string> = new Set(['refused', 'connect-timeout', 'timeout', 'reset', 'dns', 'cut', 'protocol']);
const KEY_REJECTED = /Invalid or expired API key|API key not found or invalid|invalid api key/i;
const KEY_MISSING = /API key required/i;

export const rules: Rule[] = [
  rule(keyInvalidMeta, (ev) => {
    const out: Finding[] = [];
    const validate = lastValidate(ev);
    const without = lastWithoutServiceId(ev);
    if (validate && statusOf(validate) === 401 && !loginChallenge(validate) && !isServiceTrouble(validate) && !acceptsKey(without)) {
      const alsoWithout = without && statusOf(without) === 401 ? ', and also without a service_id' : '';
      out.push(
        report(keyInvalidMeta, {
          step: 'auth',
          cause: `The auth service rejects the key: validate with service_id '${ev.target.serviceId}' got ${describeAnswer(validate)}${alsoWithout}${whitespaceNote(ev)}.`,
          evidence: [validate.id, without?.id],
          fix: keyFixes(ev),
        }),
      );
    }
    // No auth URL (or auth skipped), or auth rejected it too: the registry's own 401 tells.
    // (When auth accepts the key for some service, the registry's 401 is a service_id mismatch.)
    if (!acceptsKey(validate) && !acceptsKey(without)) {
      for (const x of firstPerStep(
        ev,
        (x) => x.step !== 'auth' && statusOf(x) === 401 && onRegistry(ev, x) && KEY_REJECTED.test(errorWords(readBody(x))),
      )) {
        out.push(
          report(keyInvalidMeta, {
            step: x.step,
            cause: `The registry rejects the key: ${nameOf(x)} got ${describeAnswer(x)}${whitespaceNote(ev)}.`,
            evidence: [x.id],
            // Without the auth service's answer, a wrong key and a key for another service_id look alike.
            fix: ev.target.authUrl === undefined ? [...keyFixes(ev), NO_AUTH_HEDGE(ev)] : keyFixes(ev),
          }),
        );
      }
    }
    return out;
  }),

  rule(serviceIdMeta, (ev) => {
    const out: Finding[] = [];
    const validate = lastValidate(ev);
    const without = lastWithoutServiceId(ev);
    const serviceId = ev.target.serviceId;
    if (validate && statusOf(validate) === 401 && !loginChallenge(validate) && without && acceptsKey(without)) {
      const owner = readBody(without).json?.service_id;
      const belongs = typeof owner === 'string' && owner !== serviceId ? `; it is registered for '${owner}'` : '';
      out.push(
        report(serviceIdMeta, {
          step: 'auth',
          cause: `The key is valid but not for service_id '${serviceId}': validate answered 401 with it (${validate.id}) and 200 without it (${without.id})${belongs}.`,
          evidence: [validate.id, without.id],
          fix: [
            typeof owner === 'string' && owner !== serviceId
              ? `Check with --service-id ${owner}, or register the key for '${serviceId}'.`
              : `Register the key for service '${serviceId}', or check with the service_id it was issued for (--service-id).`,
            'Make the API validate with the service the keys are issued for (its AUTH_SERVICE_ID, default "platform").',
          ],
        }),
      );
    }
    // Auth accepts the key (for our service_id, or for none given), the API rejects it: the API
    // validates with a service_id the key is not registered for.
    const accepted = acceptsKey(validate) ? validate : acceptsKey(without) ? without : undefined;
    if (accepted) {
      const forWhat = accepted === validate ? `for service_id '${serviceId}'` : 'without a service_id';
      const owner = readBody(accepted).json?.service_id;
      const registeredFor = typeof owner === 'string' ? owner : serviceId;
      for (const x of firstPerStep(
        ev,
        (x) => x.step !== 'auth' && statusOf(x) === 401 && onRegistry(ev, x) && KEY_REJECTED.test(errorWords(readBody(x))),
      )) {
        out.push(
          report(serviceIdMeta, {
            step: x.step,
            cause: `The auth service accepts the key ${forWhat} (${accepted.id}) but the API rejects it on ${nameOf(x)} (401 "Invalid or expired API key"): the API validates with a service_id the key is not registered for.`,
            evidence: [accepted.id, x.id],
            fix: [
              `Set the API's AUTH_SERVICE_ID to '${registeredFor}', the service the key is registered for (or register the key for the service the API asks for).`,
              'The incident: the API sent "ml-platform" while keys are registered for "platform".',
            ],
          }),
        );
      }
    }
    return out;
  }),

  rule(serviceDownMeta, (ev) => {
    const out: Finding[] = [];
    const validate = lastValidate(ev);
    // A hang-up by a port that speaks TLS is a scheme mismatch (TLS_SCHEME_MISMATCH), not an outage.
    if (validate && needsExplaining(ev, 'auth') && authLooksDown(ev, validate) && !tlsPortProof(ev, validate.request.url)) {
      const health = exchangesWhere(ev, { step: 'auth', probe: PROBE.authHealth, finalOnly: true }).at(-1);
      const healthNote = health ? `; GET /health got ${is2xx(health) ? `${statusOf(health)}` : describeAnswer(health)}` : '';
      // The registry probe's answer (503, or 401 on older APIs) shows users meet the same outage.
      const api = exchangesWhere(ev, { step: 'auth', probe: PROBE.registryAcceptsKey, finalOnly: true }).find(isServiceTrouble);
      const apiNote = api ? `; the API agrees: ${nameOf(api)} got ${describeAnswer(api)}` : '';
      out.push(
        report(serviceDownMeta, {
          step: 'auth',
          cause: byHop(validate)
            ? `${capitalise(hopAt(validate))} cannot get an answer from the auth service behind it: validate got ${answerOnly(validate)} — its own answer (${decidedBy(validate, hopReading(ev, validate))})${healthNote}${apiNote}.`
            : `The auth service at ${hostOf(validate.request.url)} is not answering properly: validate got ${describeAnswer(validate)}${healthNote}${apiNote}.`,
          evidence: [validate.id, health?.id, api?.id],
          fix: [
            `Check the auth service behind ${hostOf(validate.request.url)}: its ECS tasks, target group health and logs.`,
            'If auth and registry share a load balancer, check that its host rules send auth traffic to the auth service.',
          ],
        }),
      );
    }
    for (const x of firstPerStep(
      ev,
      (x) => x.step !== 'auth' && (statusOf(x) === 503 || statusOf(x) === 401) && SERVICE_TROUBLE.test(readBody(x).detail ?? ''),
    )) {
      const legacy = statusOf(x) === 401 ? ' (API versions before June 2026 answer 401 for this)' : '';
      // Auth answers us but not the API: the hop between them is broken, not the auth service.
      const answersUs = acceptsKey(validate);
      out.push(
        report(serviceDownMeta, {
          step: x.step,
          cause: answersUs
            ? `The API cannot reach the auth service although it answers from here (${validate!.id}): ${nameOf(x)} got ${describeAnswer(x)}${legacy}.`
            : `The API could not validate the key because its call to the auth service failed: ${nameOf(x)} got ${describeAnswer(x)}${legacy}.`,
          evidence: [answersUs ? validate?.id : undefined, x.id],
          fix: answersUs
            ? [
                "Check the API's HOKUSAI_AUTH_SERVICE_URL and that the API's tasks can reach it (DNS, security groups) within its 10 s timeout.",
                "If auth and registry share a load balancer, check its host rules: an /api* rule can catch the API's calls to auth.",
              ]
            : [
                "Check the auth service (tasks, target group, logs) and the API's HOKUSAI_AUTH_SERVICE_URL.",
                'Check that the API can reach the auth service (security groups, DNS) within its 10 s timeout.',
              ],
        }),
      );
    }
    return out;
  }),

  rule(rateLimitedMeta, (ev) =>
    // A proxy's own 429 is its rate limit, not the key's allowance (GATEWAY_RATE_LIMITED).
    firstPerStep(ev, (x) => statusOf(x) === 429 && !byHop(x)).map((x) => {
      const retryAfter = headerValue(x.response?.headers, 'retry-after');
      const limit = headerValue(x.response?.headers, 'x-ratelimit-limit');
      const wait = retryAfter ? `; Retry-After: ${retryAfter}${/^\d+$/.test(retryAfter) ? ' s' : ''}` : '';
      const limitNote = limit ? `, limit ${limit}` : '';
      return report(rateLimitedMeta, {
        step: x.step,
        cause: `The key is rate limited: ${nameOf(x)} got 429 from ${responderWords(responderOf(x))}${wait}${limitNote}.`,
        evidence: [x.id],
        fix: [
          retryAfter ? `Wait ${retryAfter}${/^\d+$/.test(retryAfter) ? ' seconds' : ''} and rerun.` : 'Wait a few minutes and rerun.',
          'Use a key that busy jobs do not share, or raise its rate_limit_per_hour.',
        ],
      });
    }),
  ),

  rule(scopeMeta, (ev) =>
    firstPerStep(ev, (x) => {
      if (statusOf(x) !== 403) return false;
      const f = readBody(x);
      return f.error === 'FORBIDDEN' || (f.json !== undefined && ('required_scope' in f.json || 'current_scopes' in f.json));
    }).map((x) => {
      const json = readBody(x).json ?? {};
      const required = typeof json.required_scope === 'string' ? json.required_scope : 'a write scope';
      const current = Array.isArray(json.current_scopes) ? json.current_scopes.map(String) : ev.state.scopes;
      const has = current ? `; the key has [${current.join(', ')}]` : '';
      return report(scopeMeta, {
        step: x.step,
        cause: `The key may not write: ${nameOf(x)} got 403 FORBIDDEN, which needs ${required}${has}.`,
        evidence: [x.id],
        fix: [`Issue a key with ${required === 'a write scope' ? 'mlflow:write or model:write' : required}.`],
      });
    }),
  ),

  rule(adminMeta, (ev) =>
    firstPerStep(ev, (x) => statusOf(x) === 403 && readBody(x).error === 'REGISTRY_ADMIN_REQUIRED').map((x) =>
      report(adminMeta, {
        step: x.step,
        cause: `The model registry is restricted to registry admins and this key is not one: ${nameOf(x)} got 403 REGISTRY_ADMIN_REQUIRED from ${responderWords(responderOf(x))}.`,
        evidence: [x.id],
        fix: [
          'Use the key of a registry admin: is_admin, an email in REGISTRY_ADMIN_USER_EMAILS, or a scope in REGISTRY_ADMIN_SCOPES (admin, mlflow:admin, registry:admin, model-registry:admin).',
        ],
      }),
    ),
  ),

  rule(headerStrippedMeta, (ev) => {
    if (ev.target.kind !== 'hokusai') return [];
    const refused = firstPerStep(
      ev,
      (x) => x.step !== 'auth' && statusOf(x) === 401 && throughProxy(ev, x) && KEY_MISSING.test(errorWords(readBody(x))),
    );
    const main = refused[0];
    if (!main) return [];
    // Did the API accept the key? Auth said so, or the answer came from behind the API.
    const authPassed = isPassing(stepStatus(ev, 'auth'));
    const behindApi = responderOf(main) === 'mlflow' || chainOf(main).includes('mlflow');
    const passedThrough = ev.exchanges.find(
      (y) => y !== main && throughProxy(ev, y) && (is2xx(y) || responderOf(y) === 'mlflow' || responderOf(y) === 'hokusai-proxy'),
    );
    if (!authPassed && !behindApi && !passedThrough) return [];
    const accepted = authPassed
      ? 'the auth step accepted the key'
      : behindApi
        ? 'the API let the call through'
        : `the API let ${nameOf(passedThrough!)} through`;
    // The API's own MLflow health check meets the same gateway without a key.
    const probe = apiMlflowProbeFailure(ev);
    const others = [...refused.slice(1), ...(probe && KEY_MISSING.test(probe.quoted) ? [probe.exchange] : [])];
    return [
      report(headerStrippedMeta, {
        step: earliestFailingStep(ev, [main, ...others]) ?? main.step,
        cause: `The proxy does not forward the API key to MLflow: ${accepted}, yet ${nameOf(main)} got ${describeAnswer(main)}${sameWay(others)}.`,
        evidence: [authPassed ? lastValidate(ev)?.id : undefined, passedThrough?.id, main.id, ...others.map((x) => x.id)],
        fix: ["Forward Authorization and X-API-Key in the API's MLflow proxy (strip only host and content-length)."],
      }),
    ];
  }),

  rule(cacheMaskingMeta, (ev) => {
    const validate = lastValidate(ev);
    if (!validate || ev.target.kind !== 'hokusai') return [];
    const status = statusOf(validate);
    // Only failures that say the auth service itself is down or refusing: not a hop of this machine's
    // (a forward proxy, TLS trust), nor a URL whose scheme the port does not speak.
    const down = validate.error !== undefined && SERVICE_DOWN_KINDS.has(validate.error.kind) && !tlsPortProof(ev, validate.request.url);
    const rejected = (status === 401 && !loginChallenge(validate)) || (status !== undefined && status >= 500) || down;
    if (!rejected || acceptsKey(lastWithoutServiceId(ev))) return [];
    // Accepted = a clean 2xx JSON answer; a broken 200 proves nothing about the key.
    const accepted = ev.exchanges.find(
      (x) =>
        (x.step !== 'auth' || x.probe === PROBE.registryAcceptsKey) && throughProxy(ev, x) && is2xx(x) && !x.error && readBody(x).isJson,
    );
    if (!accepted) return [];
    return [
      report(cacheMaskingMeta, {
        step: 'auth',
        cause: `The auth service rejects the key (${status ?? validate.error?.kind}) while the registry accepted it on ${nameOf(accepted)} (${statusOf(accepted)}): the API is serving a cached validation, and calls will fail once it expires.`,
        evidence: [validate.id, accepted.id],
        fix: ['Fix the auth failure now; registry calls that pass right now will fail when the cached validation expires (60–300 s).'],
      }),
    ];
  }),
];

/** The auth step's own validate call (the try whose answer counted). */
function lastValidate(ev: Evidence): CheckExchange | undefined {
  return exchangesWhere(ev, { step: 'auth', probe: false, finalOnly: true }).at(-1);
}

function lastWithoutServiceId(ev: Evidence): CheckExchange | undefined {
  return exchangesWhere(ev, { step: 'auth', probe: PROBE.authWithoutServiceId, finalOnly: true }).at(-1);
}

function acceptsKey(x: CheckExchange | undefined): boolean {
  return x !== undefined && statusOf(x) === 200 && readBody(x).json?.is_valid === true;
}

function isServiceTrouble(x: CheckExchange): boolean {
  return SERVICE_TROUBLE.test(readBody(x).detail ?? '');
}

function authLooksDown(ev: Evidence, x: CheckExchange): boolean {
  if (!x.response) return x.error !== undefined && ['refused', 'connect-timeout', 'timeout', 'reset', 'dns'].includes(x.error.kind);
  // A hop in front answering itself: down only when it cannot get the auth service's answer (its
  // access rules, logins and limits are the gateway rules' to name).
  if (byHop(x)) {
    const situation = hopReading(ev, x)?.situation;
    return situation === 'upstream-unreachable' || situation === 'upstream-timeout';
  }
  const status = x.response.status;
  if (status >= 500 || isServiceTrouble(x)) return true;
  // An HTML page where the validate JSON was due: an error page answered.
  return status !== 401 && status !== 429 && !is2xx(x) && readBody(x).isHtml;
}

function whitespaceNote(ev: Evidence): string {
  return ev.keyHadWhitespace ? ' (the key had surrounding whitespace, trimmed before sending: the stored secret may be mangled)' : '';
}

/** What to run to tell a bad key from a service_id mismatch when only the registry was asked. */
const NO_AUTH_HEDGE = (ev: Evidence): string =>
  `hokus-check cannot tell a wrong key from a key registered for another service than '${ev.target.serviceId}' without the auth service: rerun with --auth-url <auth service URL> (it validates with and without service_id and says which).`;

function keyFixes(ev: Evidence): string[] {
  const fixes = [
    `Check that ${ev.target.apiKeyEnv} holds the current key: complete, no quotes.`,
    'Issue a new key if it was revoked or has expired.',
  ];
  if (ev.keyHadWhitespace) {
    fixes.unshift(
      `The key in ${ev.target.apiKeyEnv} had leading/trailing whitespace or a newline: re-copy it into the secret without them and check it is complete.`,
    );
  }
  return fixes;
}
