// Cloudflare: documented (Cloudflare docs, "Cloudflare HTTP headers", "Troubleshooting Cloudflare 5XX errors").
import type { Profile } from './types.js';

export const cloudflare = {
  id: 'cloudflare',
  words: 'Cloudflare',
  role: 'proxy',
  headers: [
    { header: 'server', value: /^cloudflare$/i, source: 'documented: Cloudflare answers carry `Server: cloudflare` and `CF-Ray`' },
    { header: 'cf-ray', value: /./, source: 'documented: Cloudflare adds CF-Ray to every answer' },
  ],
  pages: [
    {
      status: [520, 521, 522, 523, 524, 525, 526, 530, 502, 504],
      body: /^error code: \d{3,4}$|cloudflare|cf-error-details|Ray ID:/i,
      source: 'documented: Cloudflare 5xx error pages and plain "error code: 52x" bodies',
    },
  ],
  fixes: {
    'path-refused': 'Check the Cloudflare WAF/firewall events for this request (Security → Events): a rule blocks it.',
    'upstream-unreachable':
      'Cloudflare cannot reach the origin (52x): check the origin server, its firewall for Cloudflare IPs, and the SSL mode.',
    'upstream-timeout':
      "524: Cloudflare waited 100 s for the origin's answer — find why the origin is slow; 522: it could not even connect in time — check that the origin is up and its firewall admits Cloudflare's IP ranges.",
    'too-large':
      "Cloudflare's plan caps request bodies (100 MB on Free/Pro): upload large artifacts in parts (MLFLOW_ENABLE_PROXY_MULTIPART_UPLOAD=true) or bypass Cloudflare for the artifact path.",
  },
} as const satisfies Profile;
