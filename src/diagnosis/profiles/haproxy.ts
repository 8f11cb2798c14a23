// HAProxy: captured from HAProxy 2.6 in test/real-proxies. Its own answers carry no Server header.
import { CAPTURED, type Profile } from './types.js';

export const haproxy = {
  id: 'haproxy',
  words: 'HAProxy',
  role: 'proxy',
  pages: [
    {
      status: [503],
      body: /No server is available to handle this request/i,
      situation: 'upstream-unreachable',
      source: CAPTURED('HAProxy 2.6 (503 page; also its page for `deny_status 503`)'),
    },
    {
      status: [502],
      body: /The server returned an invalid or incomplete response/i,
      situation: 'upstream-unreachable',
      source: CAPTURED('HAProxy 2.6 (502 page)'),
    },
    {
      status: [504],
      body: /The server didn't respond in time/i,
      situation: 'upstream-timeout',
      source: CAPTURED('HAProxy 2.6 (504 page)'),
    },
    {
      status: [403],
      body: /Request forbidden by administrative rules/i,
      situation: 'path-refused',
      source: CAPTURED('HAProxy 2.6 (403 page, `http-request deny`)'),
    },
    {
      status: [429],
      body: /You have sent too many requests in a given amount of time/i,
      situation: 'rate-limited',
      source: CAPTURED('HAProxy 2.6 (429 page)'),
    },
    {
      status: [404],
      body: /The resource could not be found/i,
      situation: 'no-route',
      source: CAPTURED('HAProxy 2.6 (404 page, `deny_status 404`)'),
    },
    {
      status: [413],
      body: /<h1>413 Payload Too Large<\/h1>\s*The request entity exceeds the maximum allowed/i,
      situation: 'too-large',
      source: CAPTURED('HAProxy 2.6 (413 page)'),
    },
    {
      status: [401],
      body: /You need a valid user and password to access this content/i,
      situation: 'login',
      source: CAPTURED('HAProxy 2.6 (401 page, `http-request auth`)'),
    },
  ],
  fixes: {
    'path-refused': 'Find the `http-request deny` (or `tcp-request`/ACL) that matches this path and narrow it.',
    login:
      'Exempt the API paths from the login: `http-request auth realm … unless { http_auth(users) } || { path_beg /api/ /health }` — or an ACL for the checking host.',
    'upstream-unreachable':
      "Check the `server` line of the backend serving this path and its health (`show servers state` on the stats socket; log termination flags 'SC'/'sC').",
    'upstream-timeout': 'Raise `timeout server` in that backend, or find why the upstream is slow.',
    'no-route': 'Add a `use_backend` rule for this path (HAProxy answers itself when no backend matches).',
    'prefix-kept': 'Strip the mount prefix in the backend: `http-request replace-path ^/api/mlflow(/.*) \\1`.',
    'method-refused': 'Remove the `http-request deny` that refuses PUT on the artifact path.',
    'rate-limited':
      'Raise the stick-table rate limit (`http-request deny … if { sc_http_req_rate(0) gt N }`) for this path, or exempt the check.',
    'too-large':
      'Raise or remove the HAProxy rule that denies large bodies (`http-request deny deny_status 413 if { req.hdr_val(content-length) gt N }`).',
  },
} as const satisfies Profile;
