// Traefik: documented (Traefik routing docs; its reverse proxy's error handler).
import type { Profile } from './types.js';

export const traefik = {
  id: 'traefik',
  words: 'Traefik',
  role: 'proxy',
  pages: [
    {
      status: [404],
      body: /^404 page not found$/i,
      situation: 'no-route',
      source: 'documented: Traefik answers an unrouted request with text "404 page not found" (Go net/http NotFound)',
    },
    {
      status: [502],
      body: /^Bad Gateway$/,
      situation: 'upstream-unreachable',
      source: 'documented: Traefik reverse proxy text "Bad Gateway" on a dial error',
    },
    {
      status: [504],
      body: /^Gateway Timeout$/,
      situation: 'upstream-timeout',
      source: 'documented: Traefik reverse proxy text "Gateway Timeout"',
    },
  ],
  fixes: {
    'upstream-unreachable': "Check the service's servers (load balancer URL and port) for this router.",
    'upstream-timeout': "Raise the servers transport's responseHeaderTimeout, or the entry point's respondingTimeouts.",
    'no-route': 'Add a router rule (PathPrefix) for this path.',
    'prefix-kept': 'Add a StripPrefix middleware for the mount prefix.',
  },
} as const satisfies Profile;
