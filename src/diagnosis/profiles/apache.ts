// Apache httpd (mod_proxy): captured from Apache httpd 2.4 in test/real-proxies.
import { CAPTURED, type Profile } from './types.js';

export const apache = {
  id: 'apache',
  words: 'Apache httpd',
  role: 'proxy',
  headers: [{ header: 'server', value: /^Apache\b/i, source: CAPTURED('Apache httpd 2.4') }],
  pages: [
    {
      status: [502, 504],
      body: /Error reading from remote server/i,
      header: { name: 'server', value: /^Apache/i },
      situation: 'upstream-timeout',
      source: CAPTURED('Apache httpd 2.4 mod_proxy (502 "Proxy Error … Error reading from remote server" when ProxyTimeout expires)'),
    },
    {
      body: /<address>Apache(\/[\d.]+)?[^<]* Server at [^<]*<\/address>/i,
      source: CAPTURED('Apache httpd 2.4 (502 Proxy Error, 503, 404, 403, 413 pages)'),
    },
    {
      status: [502, 503],
      body: /<title>50[23] (Proxy Error|Service Unavailable)<\/title>/i,
      header: { name: 'server', value: /^Apache/i },
      situation: 'upstream-unreachable',
      source: CAPTURED('Apache httpd 2.4 mod_proxy'),
    },
  ],
  fixes: {
    'path-refused':
      'Fix the `Require` rules for this path (`Require all denied`, `Require ip …`, or a `<Location>`/`<Directory>` that covers it); error.log says "AH01630: client denied by server configuration".',
    login:
      'Exempt the API paths from the login: `<Location "/api/"> Require all granted </Location>` (and /health), outside the `AuthType Basic` block.',
    'upstream-unreachable':
      'Check the `ProxyPass` target for this path and error.log ("AH00957: http: attempt to connect to … failed"); with SELinux, httpd_can_network_connect.',
    'upstream-timeout': 'Raise `ProxyTimeout` (or `timeout=` on the ProxyPass line), or find why the upstream is slow.',
    'no-route': 'Add a `ProxyPass` for this path (Apache serves it from DocumentRoot otherwise).',
    'prefix-kept': 'Map the prefix away: `ProxyPass /api/mlflow/ http://mlflow:5000/`.',
    'method-refused': 'Remove the `<Limit PUT>`/`Require all denied` (or mod_allowmethods) that refuses PUT on the artifact path.',
    'too-large':
      "Raise the Apache rule that refuses large bodies (a RewriteCond on Content-Length, mod_security's SecRequestBodyLimit); LimitRequestBody does not apply to ProxyPass.",
  },
} as const satisfies Profile;
