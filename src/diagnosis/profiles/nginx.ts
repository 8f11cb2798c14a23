// nginx (and OpenResty, Kubernetes ingress-nginx): captured from nginx 1.22.1 in test/real-proxies.
import { CAPTURED, type Profile } from './types.js';

export const nginx = {
  id: 'nginx',
  words: 'nginx',
  role: 'proxy',
  headers: [{ header: 'server', value: /^(nginx|openresty)\b/i, source: CAPTURED('nginx 1.22.1') }],
  pages: [
    {
      body: /<hr><center>\s*(nginx|openresty)[^<]*<\/center>/i,
      source: CAPTURED('nginx 1.22.1 (502, 503, 504, 404, 405, 403, 413, 429 pages)'),
    },
    {
      status: [404],
      body: /^default backend - 404$/i,
      situation: 'no-route',
      source:
        'documented: Kubernetes ingress-nginx default backend (ingress-nginx docs, "Default backend": `/` answers 404; the defaultbackend image says "default backend - 404")',
    },
  ],
  fixes: {
    'path-refused':
      'Remove or widen the `deny`/`allow` rules (or the `auth_request`, `limit_except`, WAF module) of the location serving this path; error.log names it ("access forbidden by rule").',
    login:
      'Exempt the API paths from the login: `auth_basic off;` in the locations that serve /api/, /health and the auth service (or `satisfy any;` with an `allow` for the checking host).',
    'upstream-unreachable':
      'Check the `proxy_pass` target of the location serving this path, and nginx\'s error.log ("connect() failed (111: Connection refused) while connecting to upstream"); in Kubernetes, the Service\'s endpoints (ingress-nginx answers 503 when it has none).',
    'upstream-timeout':
      'Raise `proxy_read_timeout` (default 60s) in that location (ingress-nginx: nginx.ingress.kubernetes.io/proxy-read-timeout), or find why the upstream is slow.',
    'no-route':
      'Add a `location` for this path that proxies to the right upstream (nginx answers 404/405 itself for paths it serves as files).',
    'prefix-kept':
      'Strip the mount prefix: `location /api/mlflow/ { proxy_pass http://mlflow:5000/; }` — the trailing slash on proxy_pass replaces the prefix (ingress-nginx: rewrite-target).',
    'method-refused': 'Allow PUT (and DELETE) on the artifact path: remove the `limit_except`/`deny` that refuses it.',
    'rate-limited': 'Raise the `limit_req` rate/burst for this path (limit_req_status says 429 or 503), or exempt the check.',
    'too-large':
      "Raise nginx's client_max_body_size (nginx ingress: nginx.ingress.kubernetes.io/proxy-body-size) above your largest model.",
    'client-cert-required':
      'nginx has `ssl_verify_client on`: pass a client certificate signed by a CA of its `ssl_client_certificate` with --client-cert/--client-key (ingress-nginx: nginx.ingress.kubernetes.io/auth-tls-secret names that CA).',
    'client-cert-rejected':
      'nginx refused the certificate: it must be signed by a CA of its `ssl_client_certificate` (within `ssl_verify_depth`), valid now and not in `ssl_crl`; error.log says why ("client SSL certificate verify error: …").',
  },
} as const satisfies Profile;
