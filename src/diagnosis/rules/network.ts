// Network family: no HTTP answer at all — the name does not resolve, the port refuses, the peer is
// silent or hangs up. Each finding names the host and, for timeouts, which phase ran out.
import type { Exchange } from '../../http/types.js';
import { report, rule } from '../finding.js';
import { labelsOf, transportFailures } from '../transport-errors.js';
import type { Rule, RuleMeta } from '../types.js';

const PROXY_ENV = 'If an HTTPS_PROXY/HTTP_PROXY variable is set, add the host to NO_PROXY (internal hosts sent to a corporate proxy fail this way).';

const dnsMeta: RuleMeta = {
  code: 'NET_DNS',
  family: 'network',
  title: 'Host name does not resolve',
  severity: 'error',
  docs: {
    means: 'The host name in the target URL could not be resolved to an address, so no request was sent.',
    detect: 'A request failed with ENOTFOUND/EAI_AGAIN (transport error kind "dns").',
    fix: 'Check the spelling of the URL (registry, auth, --mlflow-direct-url). Internal names (Cloud Map, *.local) resolve only inside the VPC: run from there or use the public URL. Check VPN/resolver settings. ' + PROXY_ENV,
    confirm: 'Run `node -e "require(\'dns\').lookup(\'<host>\', console.log)"` or `dig <host>`, then rerun hokus-check.',
  },
};

const refusedMeta: RuleMeta = {
  code: 'NET_REFUSED',
  family: 'network',
  title: 'Connection refused',
  severity: 'error',
  docs: {
    means: 'The host resolved and answered, but nothing accepted connections on that port: the service is down, on another port, or a firewall rejects the connection.',
    detect: 'A request failed with ECONNREFUSED (transport error kind "refused").',
    fix: 'Check the port in the URL and that the service is running (ECS desired/running task count, container logs). Check security groups and host firewalls. ' + PROXY_ENV,
    confirm: 'Rerun hokus-check (or `curl -v <url>`): the connection is accepted.',
  },
};

const timeoutMeta: RuleMeta = {
  code: 'NET_TIMEOUT',
  family: 'network',
  title: 'Request timed out',
  severity: 'error',
  docs: {
    means: 'The host did not accept a connection in time (connect timeout), or accepted it but did not answer in time (first-byte or body timeout).',
    detect: 'A request failed with a connect timeout (UND_ERR_CONNECT_TIMEOUT/ETIMEDOUT) or a headers/body timeout.',
    fix: 'Connect timeout: packets are dropped — security group or NACL rules, a stale IP address, a private host reached from outside. First-byte timeout: the service is overloaded or waits on a slow dependency (database, MLflow, auth). ' + PROXY_ENV,
    confirm: 'Rerun hokus-check; raise --timeout to see whether the service is slow or unreachable.',
  },
};

const resetMeta: RuleMeta = {
  code: 'NET_RESET',
  family: 'network',
  title: 'Connection reset',
  severity: 'error',
  docs: {
    means: 'The connection was closed by the other side (or something in between) before a complete answer arrived.',
    detect: 'A request failed with ECONNRESET/EPIPE or a closed socket (transport error kind "reset").',
    fix: 'Look for a crashing or restarting service (container logs), a load balancer idle timeout shorter than the request, plain HTTP sent to a TLS port (or the reverse), or a middlebox killing long uploads. ' + PROXY_ENV,
    confirm: 'Rerun hokus-check: the request completes.',
  },
};

const deadlineMeta: RuleMeta = {
  code: 'DEADLINE_EXCEEDED',
  family: 'network',
  title: "The check's deadline passed",
  severity: 'error',
  docs: {
    means: 'The whole check ran longer than --deadline: the requests still in flight were ended, the steps not yet started were not run, and cleanup ran on its own budget.',
    detect: 'A request ended by the deadline (transport error "aborted", code HOKUS_DEADLINE), or steps reported "not run: deadline exceeded".',
    fix: 'See which step and host were slow (the cited exchange and the timings in --json/--har). Raise --deadline if the deployment is merely slow (large --artifact-size, slow registry), otherwise look at the slow hop.',
    confirm: 'Rerun hokus-check with the same --deadline: every step finishes in time.',
  },
};

export const rules: Rule[] = [
  rule(deadlineMeta, (ev) => {
    // One finding, on the first step the deadline cut short, citing the requests it ended.
    const ended = ev.exchanges.filter((x) => x.error?.code === 'HOKUS_DEADLINE' && !x.response);
    const step = ev.steps.find((s) => (s.status === 'error' && ended.some((x) => x.step === s.id)) || s.detail === 'not run: deadline exceeded');
    if (!step) return [];
    const cited = ended.filter((x) => x.step === step.id);
    const skipped = ev.steps.filter((s) => s.detail === 'not run: deadline exceeded').map((s) => s.id);
    return [
      report(deadlineMeta, {
        step: step.id,
        cause: `The check's deadline passed ${cited.length ? `while ${labelsOf(cited)} waited for ${hostOfUrl(cited[0]!.request.url)}` : `before ${step.id} could start`}${skipped.length ? `; not run: ${skipped.join(', ')}` : ''}.`,
        evidence: cited.map((x) => x.id),
        fix: [
          'Look at the timings of the cited request and of the slowest exchanges (--json or --har): that hop is slow.',
          'If the deployment is merely slow (a large --artifact-size, a slow registry), raise --deadline.',
        ],
      }),
    ];
  }),

  rule(dnsMeta, (ev) =>
    transportFailures(ev, ['dns']).map((g) =>
      report(dnsMeta, {
        step: g.step,
        severity: g.severity,
        cause: `The host name ${hostName(g.host)} does not resolve (${codeOf(g.exchanges)}), so ${labelsOf(g.exchanges)} could not be sent.`,
        evidence: g.exchanges.map((x) => x.id),
        fix: [
          `Check the host name ${hostName(g.host)} in the target's URL.`,
          'Internal names (Cloud Map, *.local) resolve only inside the VPC: run from there, or use the public URL.',
          PROXY_ENV,
        ],
      }),
    ),
  ),
  rule(refusedMeta, (ev) =>
    transportFailures(ev, ['refused']).map((g) =>
      report(refusedMeta, {
        step: g.step,
        severity: g.severity,
        cause: `${g.host} refused the connection (${codeOf(g.exchanges)}) on ${labelsOf(g.exchanges)}: nothing is listening on that port, or the service is down.`,
        evidence: g.exchanges.map((x) => x.id),
        fix: [
          `Check that the service behind ${g.host} is running (task count, container logs) and listens on that port.`,
          'Check security groups and firewalls between here and the host.',
          PROXY_ENV,
        ],
      }),
    ),
  ),
  rule(timeoutMeta, (ev) =>
    transportFailures(ev, ['connect-timeout', 'timeout']).map((g) => {
      const connect = g.exchanges.every((x) => x.error?.kind === 'connect-timeout' || x.error?.phase === 'connect');
      const body = !connect && g.exchanges.every((x) => x.error?.phase === 'body');
      const ms = Math.max(...g.exchanges.map((x) => x.timings.total));
      const after = ms > 0 ? ` after ${Math.round(ms)} ms` : '';
      const cause = connect
        ? `${g.host} did not accept a connection${after} (connect timeout) on ${labelsOf(g.exchanges)}: packets to it are dropped or it is not reachable from here.`
        : body
          ? `${g.host} started answering ${labelsOf(g.exchanges)} but the body stalled${after} (body timeout).`
          : `${g.host} accepted the connection but sent no response${after} (first-byte timeout) on ${labelsOf(g.exchanges)}: the service or a dependency it waits on is too slow.`;
      return report(timeoutMeta, {
        step: g.step,
        severity: g.severity,
        cause,
        evidence: g.exchanges.map((x) => x.id),
        fix: connect
          ? [`Check security groups/NACLs and the address ${g.host} resolves to (a stale IP times out).`, PROXY_ENV]
          : [
              `Look at the latency of the service behind ${g.host} and of what it waits on (database, MLflow, auth).`,
              'Rerun with a longer --timeout to tell slow from stuck.',
            ],
      });
    }),
  ),
  rule(resetMeta, (ev) =>
    transportFailures(ev, ['reset']).map((g) =>
      report(resetMeta, {
        step: g.step,
        severity: g.severity,
        cause: `${g.host} closed the connection before answering ${labelsOf(g.exchanges)} (${codeOf(g.exchanges)}).`,
        evidence: g.exchanges.map((x) => x.id),
        fix: [
          `Check whether the service behind ${g.host} crashed or restarted (container logs).`,
          'Check load balancer idle timeouts and that http/https match the port.',
          PROXY_ENV,
        ],
      }),
    ),
  ),
];

function hostOfUrl(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}

function codeOf(xs: readonly Exchange[]): string {
  const codes = [...new Set(xs.map((x) => x.error?.code).filter((c): c is string => c !== undefined))];
  return codes.length > 0 ? codes.join(', ') : (xs[0]?.error?.kind ?? 'error');
}

/** 'auth.example.test' without the port, which a name lookup does not use. */
function hostName(host: string): string {
  return host.replace(/:\d+$/, '');
}
