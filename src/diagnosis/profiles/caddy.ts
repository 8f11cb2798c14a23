// Caddy: captured from Caddy 2.6 in test/real-proxies.
import { CAPTURED, type Profile } from './types.js';

export const caddy = {
  id: 'caddy',
  words: 'Caddy',
  role: 'proxy',
  headers: [{ header: 'server', value: /^Caddy\b/i, source: CAPTURED('Caddy 2.6') }],
  fixes: {
    'path-refused': 'Find the matcher that answers 403 for this path (`respond … 403`, `abort`, a `remote_ip` matcher) and narrow it.',
    login:
      'Exempt the API paths from the login: give `basicauth` a matcher that leaves them out (`@ui not path /api/* /health*` then `basicauth @ui { … }`).',
    'upstream-unreachable':
      'Check the `reverse_proxy` upstream address for this path and Caddy\'s log ("dial tcp …: connect: connection refused").',
    'upstream-timeout':
      'Raise the `reverse_proxy` transport timeouts (response_header_timeout, read_timeout), or find why the upstream is slow.',
    'no-route': 'Add a `handle`/`reverse_proxy` for this path (Caddy answers unrouted paths itself).',
    'prefix-kept': 'Use `handle_path /api/mlflow/*` (or `uri strip_prefix /api/mlflow`) before `reverse_proxy`.',
    'method-refused': 'Remove the matcher that answers PUT itself on the artifact path.',
    'too-large':
      'Raise `request_body { max_size … }` in the Caddy site above your largest model (Caddy 2.6 answers an overflow with an empty 502).',
  },
} as const satisfies Profile;
