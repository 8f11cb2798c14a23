// Envoy (and Istio gateways and sidecars): documented (Envoy router and access-log docs, response flags).
import type { Profile } from './types.js';

export const envoy = {
  id: 'envoy',
  words: 'Envoy',
  role: 'proxy',
  headers: [
    {
      header: 'server',
      value: /^(istio-)?envoy$/i,
      source: 'documented: Envoy sets `server: envoy` (HttpConnectionManager server_name default; Istio gateways `istio-envoy`)',
    },
    { header: 'x-envoy-upstream-service-time', value: /./, source: 'documented: Envoy router filter header x-envoy-upstream-service-time' },
  ],
  pages: [
    {
      status: [503],
      body: /^no healthy upstream$/i,
      situation: 'upstream-unreachable',
      source: 'documented: Envoy local reply "no healthy upstream" (503, response flag UH)',
    },
    {
      status: [503, 502],
      body: /^upstream connect error or disconnect\/reset before headers/i,
      situation: 'upstream-unreachable',
      source:
        'documented: Envoy local reply "upstream connect error or disconnect/reset before headers. reset reason: connection failure" (503, response flag UF)',
    },
    {
      status: [504],
      body: /^upstream request timeout$/i,
      situation: 'upstream-timeout',
      source: 'documented: Envoy local reply "upstream request timeout" (504, response flag UT; route timeout 15 s by default)',
    },
    {
      status: [429],
      body: /^local_rate_limited$/i,
      situation: 'rate-limited',
      source: 'documented: Envoy local rate limit filter body "local_rate_limited"',
    },
    {
      status: [403],
      body: /^RBAC: access denied$/i,
      situation: 'path-refused',
      source: 'documented: Envoy RBAC filter local reply "RBAC: access denied" (Istio AuthorizationPolicy)',
    },
    {
      status: [404],
      body: /^$/,
      header: { name: 'server', value: /^(istio-)?envoy$/i },
      situation: 'no-route',
      source: 'documented: Envoy answers an unrouted request with an empty 404 (response flag NR)',
    },
  ],
  fixes: {
    'upstream-unreachable':
      'Check the cluster for this route: healthy endpoints ("no healthy upstream"), the Service\'s port name and mTLS mode (Istio).',
    'upstream-timeout': 'Raise the route timeout (15 s by default; Istio VirtualService `timeout`).',
    'rate-limited': 'Raise the local/global rate limit for this route.',
    'path-refused': 'Check the RBAC filter or Istio AuthorizationPolicy that matches this path.',
    'no-route': 'Add a route (VirtualService http match, HTTPRoute) for this path.',
  },
} as const satisfies Profile;
