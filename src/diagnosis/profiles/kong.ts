// Kong Gateway: documented (Kong gateway docs: headers, routing, plugins).
import type { Profile } from './types.js';

export const kong = {
  id: 'kong',
  words: 'Kong',
  role: 'proxy',
  headers: [
    { header: 'server', value: /^kong\//i, source: 'documented: Kong sets `Server: kong/<version>` on answers it generates' },
    { header: 'via', value: /\bkong\//i, source: 'documented: Kong sets `Via: kong/<version>` on proxied answers' },
  ],
  pages: [
    {
      status: [404],
      body: /"message"\s*:\s*"no Route matched with those values"/i,
      situation: 'no-route',
      source: 'documented: Kong router 404 {"message":"no Route matched with those values"}',
    },
    {
      status: [502],
      body: /"message"\s*:\s*"An invalid response was received from the upstream server"/i,
      situation: 'upstream-unreachable',
      source: 'documented: Kong 502 {"message":"An invalid response was received from the upstream server"}',
    },
    {
      status: [503],
      body: /"message"\s*:\s*"(name resolution failed|failure to get a peer from the ring-balancer)"/i,
      situation: 'upstream-unreachable',
      source: 'documented: Kong 503 for an unresolvable or empty upstream',
    },
    {
      status: [504],
      body: /"message"\s*:\s*"The upstream server is timing out"/i,
      situation: 'upstream-timeout',
      source: 'documented: Kong 504 {"message":"The upstream server is timing out"}',
    },
    {
      status: [429],
      body: /"message"\s*:\s*"API rate limit exceeded"/i,
      situation: 'rate-limited',
      source: 'documented: Kong rate-limiting plugin 429 {"message":"API rate limit exceeded"}',
    },
  ],
  fixes: {
    'upstream-unreachable': "Check the service's upstream host and port (and the upstream's targets' health).",
    'upstream-timeout': "Raise the service's read_timeout (default 60 000 ms).",
    'no-route': 'Add a route for this path to the MLflow service.',
    'prefix-kept': 'Set strip_path=true on the route.',
    'rate-limited': 'Raise the rate-limiting plugin limits for this consumer, or exempt the check.',
    'method-refused': "Add PUT and DELETE to the route's methods.",
  },
} as const satisfies Profile;
