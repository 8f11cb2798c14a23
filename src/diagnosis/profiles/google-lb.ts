// Google Cloud external Application Load Balancer: documented (Cloud Load Balancing docs, "HTTP(S) headers",
// "Troubleshoot external Application Load Balancers").
import type { Profile } from './types.js';

export const googleLb = {
  id: 'google-lb',
  words: 'the Google Cloud load balancer',
  role: 'proxy',
  headers: [
    {
      header: 'via',
      value: /\b1\.1 google\b/i,
      source: 'documented: Google Cloud external Application Load Balancers add `Via: 1.1 google`',
    },
  ],
  pages: [
    {
      status: [502, 503, 504],
      body: /failed_to_pick_backend|The server encountered a temporary error and could not complete your request/i,
      source: 'documented: Google Cloud load balancer 502 "Error: Server Error — The server encountered a temporary error…"',
    },
  ],
  fixes: {
    'upstream-unreachable': "Check the backend service's health check and backends (failed_to_pick_backend in the load balancer's logs).",
    'upstream-timeout': "Raise the backend service's timeout (default 30 s).",
  },
} as const satisfies Profile;
