// Forward-proxy family: the request never reached its host because the forward proxy named by
// HTTPS_PROXY/HTTP_PROXY (a corporate or CI egress proxy) could not be reached, or refused the tunnel.
// The HTTP client tunnels every proxied request (CONNECT), so the proxy's answer is a status without
// a page (src/http/classify.ts, kinds 'proxy-unreachable' and 'proxy-refused'); the exchange's `via`
// names the proxy. Proven against a real tinyproxy (test/e2e/forward-proxy.test.ts).
import { report, rule } from '../finding.js';
import { codeOf, labelsOf, transportFailures } from '../transport-errors.js';
import type { CheckExchange, Rule, RuleMeta } from '../types.js';

const NO_PROXY_FIX = (host: string) =>
  `If ${host} is reachable without the proxy (an internal host), add it to NO_PROXY: NO_PROXY=${host.replace(/:\d+$/, '')}.`;

const unreachableMeta: RuleMeta = {
  code: 'NET_PROXY_UNREACHABLE',
  family: 'network',
  rank: { tier: 'transport', order: 2 },
  title: 'Forward proxy unreachable (HTTPS_PROXY/HTTP_PROXY)',
  severity: 'error',
  docs: {
    means:
      'The request was to go through the forward proxy named by HTTPS_PROXY or HTTP_PROXY, and that proxy could not be reached: its host name does not resolve or its port refuses connections. Nothing reached the target; the target may be fine.',
    detect:
      'A proxied request failed connecting to the proxy itself (transport error kind "proxy-unreachable", code ENOTFOUND or ECONNREFUSED).',
    fix: 'Check the proxy URL in HTTPS_PROXY/HTTP_PROXY (host and port) and that the proxy is running. If the target is reachable directly (an internal host), add it to NO_PROXY; if this machine needs no proxy, unset the variables.',
    confirm: 'Rerun hokus-check: the steps reach the target (or `curl -v --proxy $HTTPS_PROXY <url>`).',
  },
};

const refusedMeta: RuleMeta = {
  code: 'NET_PROXY_REFUSED',
  family: 'network',
  rank: { tier: 'transport', order: 1 },
  title: 'Forward proxy refused the tunnel',
  severity: 'error',
  docs: {
    means:
      "The forward proxy named by HTTPS_PROXY or HTTP_PROXY answered the tunnel request (CONNECT host:port) with an error status, so nothing reached the target. 407: the proxy wants credentials. 403: its rules refuse a tunnel to that host or port — squid allows CONNECT only to port 443 by default (`http_access deny CONNECT !SSL_ports`), tinyproxy only to its ConnectPort list. 5xx: the proxy could not connect to the target from its side (down, or not reachable from the proxy's network). hokus-check tunnels plain-HTTP requests too, so that the proxy never handles a request carrying the key; curl sends those to the proxy as ordinary requests, so curl may work where this does not.",
    detect:
      'A proxied request failed with the proxy\'s answer to CONNECT (transport error kind "proxy-refused"; the status is in the exchange\'s error).',
    fix: "407: put the credentials in the variable (HTTPS_PROXY=http://USER:PASSWORD@proxy:3128; they go to the proxy only). 403: allow CONNECT to the target's port (squid: add it to SSL_ports; tinyproxy: ConnectPort), or add the target to NO_PROXY. 5xx: an internal target belongs in NO_PROXY; otherwise check that the target is up — the proxy's log names the error.",
    confirm: 'Rerun hokus-check: the tunnel is accepted and the steps reach the target.',
  },
};

export const rules: Rule[] = [
  rule(unreachableMeta, (ev) =>
    transportFailures(ev, ['proxy-unreachable']).map((g) => {
      const proxy = viaOf(g.exchanges);
      const dns = g.exchanges.some((x) => x.error?.code === 'ENOTFOUND' || x.error?.code?.startsWith('EAI_'));
      return report(unreachableMeta, {
        step: g.step,
        severity: g.severity,
        cause: `The forward proxy ${proxy} (HTTPS_PROXY/HTTP_PROXY) ${dns ? 'does not resolve' : 'refused the connection'} (${codeOf(g.exchanges)}), so ${labelsOf(g.exchanges)} never reached ${g.host}: the proxy is the broken hop, not ${g.host}.`,
        evidence: g.exchanges.map((x) => x.id),
        fix: [
          `Check the proxy URL in HTTPS_PROXY/HTTP_PROXY (${proxy}) and that the proxy is running${dns ? ' and its name resolves from here' : ' and listens on that port'}.`,
          NO_PROXY_FIX(g.host),
          'If this machine needs no proxy, unset HTTPS_PROXY and HTTP_PROXY.',
        ],
      });
    }),
  ),
  rule(refusedMeta, (ev) =>
    transportFailures(ev, ['proxy-refused']).map((g) => {
      const proxy = viaOf(g.exchanges);
      const status = g.exchanges.map((x) => x.error?.proxyStatus).find((s): s is number => s !== undefined) ?? 0;
      const port = g.host.replace(/^.*:/, '');
      const { means, fix } = byStatus(status, g.host, port);
      return report(refusedMeta, {
        step: g.step,
        severity: g.severity,
        cause: `The forward proxy ${proxy} (HTTPS_PROXY/HTTP_PROXY) answered ${status || 'an error'} to the tunnel request CONNECT ${g.host}: ${means}. ${labelsOf(g.exchanges)} never reached ${g.host}.`,
        evidence: g.exchanges.map((x) => x.id),
        fix,
      });
    }),
  ),
];

function byStatus(status: number, host: string, port: string): { means: string; fix: string[] } {
  if (status === 407) {
    return {
      means: 'it requires credentials, and none (or wrong ones) were given',
      fix: [
        'Put the proxy credentials in the variable: HTTPS_PROXY=http://USER:PASSWORD@proxy:port (hokus-check sends them to the proxy only, never to the target).',
        NO_PROXY_FIX(host),
      ],
    };
  }
  if (status === 403) {
    return {
      means: `its rules refuse a tunnel to ${host} — squid allows CONNECT only to port 443 by default, tinyproxy only to its ConnectPort list; hokus-check tunnels plain-HTTP requests too, so that the proxy never handles a request carrying the key (curl does not tunnel them, and may work where this does not)`,
      fix: [
        `Allow CONNECT to port ${port} in the proxy (squid: add it to SSL_ports; tinyproxy: ConnectPort ${port}), or use the target's HTTPS URL (port 443).`,
        NO_PROXY_FIX(host),
      ],
    };
  }
  if (status >= 500) {
    return {
      means: `it could not connect to ${host} from its side: the host is down, or not reachable from the proxy's network (internal hosts usually are not)`,
      fix: [NO_PROXY_FIX(host), `Otherwise check that ${host} is up and listening; the proxy's log names the error it got.`],
    };
  }
  return {
    means: 'it refused the tunnel',
    fix: ["Look at the proxy's log for why it refused the CONNECT.", NO_PROXY_FIX(host)],
  };
}

/** The proxy the exchanges went through (scheme://host:port), as recorded. */
function viaOf(xs: readonly CheckExchange[]): string {
  return xs.map((x) => x.via).find((v): v is string => v !== undefined) ?? 'from HTTPS_PROXY/HTTP_PROXY';
}
