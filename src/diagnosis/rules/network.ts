// Network family: no HTTP answer at all — the name does not resolve, the port refuses, the peer is
// silent or hangs up. Each finding names the host and, for timeouts, which phase ran out.
import { seconds } from '../../http/classify.js';
import { chainOf, hostOf, responderOf, tlsPortProof } from '../evidence-query.js';
import { report, rule } from '../finding.js';
import { codeOf, labelsOf, transportFailures } from '../transport-errors.js';
import type { CheckExchange, Evidence, Rule, RuleMeta } from '../types.js';
import { responderWords } from '../words.js';

const PROXY_ENV =
  'If an HTTPS_PROXY/HTTP_PROXY variable is set, add the host to NO_PROXY (internal hosts sent to a corporate proxy fail this way).';

const dnsMeta: RuleMeta = {
  code: 'NET_DNS',
  family: 'network',
  rank: { tier: 'transport', order: 6 },
  title: 'Host name does not resolve',
  severity: 'error',
  docs: {
    means: 'The host name in the target URL could not be resolved to an address, so no request was sent.',
    detect: 'A request failed with ENOTFOUND/EAI_AGAIN (transport error kind "dns").',
    fix:
      'Check the spelling of the URL (registry, auth, --mlflow-direct-url). Internal names (Cloud Map, *.local) resolve only inside the VPC: run from there or use the public URL. Check VPN/resolver settings. ' +
      PROXY_ENV,
    confirm: "Run `node -e \"require('dns').lookup('<host>', console.log)\"` or `dig <host>`, then rerun hokus-check.",
  },
};

const refusedMeta: RuleMeta = {
  code: 'NET_REFUSED',
  family: 'network',
  rank: { tier: 'transport', order: 7 },
  title: 'Connection refused',
  severity: 'error',
  docs: {
    means:
      'The host resolved and answered, but nothing accepted connections on that port: the service is down, on another port, or a firewall rejects the connection.',
    detect: 'A request failed with ECONNREFUSED (transport error kind "refused").',
    fix:
      'Check the port in the URL and that the service is running (ECS desired/running task count, container logs). Check security groups and host firewalls. ' +
      PROXY_ENV,
    confirm: 'Rerun hokus-check (or `curl -v <url>`): the connection is accepted.',
  },
};

const timeoutMeta: RuleMeta = {
  code: 'NET_TIMEOUT',
  family: 'network',
  rank: { tier: 'transport', order: 8 },
  title: 'Request timed out',
  severity: 'error',
  docs: {
    means:
      'The host did not accept a connection in time (connect timeout), or accepted it but did not answer within --timeout (first-byte or body timeout). The cause names how long it waited and whether the host answered earlier requests of the check: then the host is up and the hop behind it is slow. A timeout is a failure of that hop (exit 1); exit 3 only when nothing of the target answered at all.',
    detect: 'A request failed with a connect timeout (UND_ERR_CONNECT_TIMEOUT/ETIMEDOUT) or a headers/body timeout.',
    fix:
      'Connect timeout: packets are dropped — security group or NACL rules, a stale IP address, a private host reached from outside. First-byte timeout: the service is overloaded or waits on a slow dependency (database, MLflow, auth). ' +
      PROXY_ENV,
    confirm: 'Rerun hokus-check; raise --timeout to see whether the service is slow or unreachable.',
  },
};

const cutMeta: RuleMeta = {
  code: 'NET_TRANSFER_CUT',
  family: 'network',
  rank: { tier: 'transport', order: 9 },
  title: 'Answer cut off mid-body (server or proxy timeout)',
  severity: 'error',
  docs: {
    means:
      "The answer started (status and headers arrived), then the connection was closed or reset before the body's end, N seconds after the request. A timeout on the far side ended the transfer: a worker timeout (gunicorn's --timeout, 30 s by default, kills an MLflow 2.x worker mid-download), a proxy's read timeout (nginx proxy_read_timeout, 60 s by default; HAProxy timeout server), a load balancer's idle timeout — or the server process died.",
    detect:
      'A request failed after its headers with the connection closed or reset and fewer body bytes than announced (transport error kind "cut"); the cause names the seconds and the bytes received.',
    fix: 'Match the seconds to a timeout: gunicorn\'s worker --timeout (`mlflow server --gunicorn-opts "--timeout 300"`), nginx proxy_read_timeout/proxy_send_timeout, HAProxy timeout server, the load balancer\'s idle timeout. The server\'s log says which: gunicorn logs WORKER TIMEOUT, nginx logs "upstream timed out".',
    confirm: 'Rerun hokus-check: the artifact read-back completes.',
  },
};

const resetMeta: RuleMeta = {
  code: 'NET_RESET',
  family: 'network',
  rank: { tier: 'transport', order: 10 },
  title: 'Connection reset',
  severity: 'error',
  docs: {
    means: 'The connection was closed by the other side (or something in between) before a complete answer arrived.',
    detect: 'A request failed with ECONNRESET/EPIPE or a closed socket (transport error kind "reset").',
    fix:
      'Look for a crashing or restarting service (container logs), a load balancer idle timeout shorter than the request, plain HTTP sent to a TLS port (or the reverse), or a middlebox killing long uploads. ' +
      PROXY_ENV,
    confirm: 'Rerun hokus-check: the request completes.',
  },
};

const deadlineMeta: RuleMeta = {
  code: 'DEADLINE_EXCEEDED',
  family: 'network',
  rank: { tier: 'deadline', order: 1 },
  title: "The check's deadline passed",
  severity: 'error',
  docs: {
    means:
      'The whole check ran longer than --deadline: the requests still in flight were ended, the steps not yet started were not run, and cleanup ran on its own budget.',
    detect:
      'A request ended by the deadline (transport error "aborted", code HOKUS_DEADLINE), or steps reported "not run: deadline exceeded".',
    fix: 'See which step and host were slow (the cited exchange and the timings in --json/--har). Raise --deadline if the deployment is merely slow (large --artifact-size, slow registry), otherwise look at the slow hop.',
    confirm: 'Rerun hokus-check with the same --deadline: every step finishes in time.',
  },
};

export const rules: Rule[] = [
  rule(deadlineMeta, (ev) => {
    // One finding, on the first step the deadline cut short, citing the requests it ended.
    // Also a read the deadline cut mid-body (a dripping read-back): the answer started, the rest never came.
    const ended = ev.exchanges.filter((x) => x.error?.code === 'HOKUS_DEADLINE' && (!x.response || x.error.phase === 'body'));
    const step = ev.steps.find((s) => (s.status === 'error' && ended.some((x) => x.step === s.id)) || s.stopped === 'deadline');
    if (!step) return [];
    const cited = ended.filter((x) => x.step === step.id);
    const skipped = ev.steps.filter((s) => s.stopped === 'deadline').map((s) => s.id);
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
      const waited = waitedText(g.exchanges);
      const earlier = answeredBefore(ev, g.host, g.exchanges);
      const cause = connect
        ? `${g.host} did not accept a connection${waited ? ` within ${waited}` : ''} (connect timeout) on ${labelsOf(g.exchanges)}: packets to it are dropped or it is not reachable from here.`
        : body
          ? `${g.host} started answering ${labelsOf(g.exchanges)} but the rest of the body did not arrive${waited ? ` within ${waited}` : ''} (body timeout)${earlier}.`
          : `${g.host} accepted the connection but sent no response to ${labelsOf(g.exchanges)}${waited ? ` within ${waited}` : ''} (first-byte timeout)${earlier || ': the service or a dependency it waits on is too slow'}.`;
      return report(timeoutMeta, {
        step: g.step,
        severity: g.severity,
        cause,
        evidence: g.exchanges.map((x) => x.id),
        fix: connect
          ? [`Check security groups/NACLs and the address ${g.host} resolves to (a stale IP times out).`, PROXY_ENV]
          : [
              `Look at the latency of the service behind ${g.host} and of what it waits on (database, MLflow, auth), and at the timeouts of any proxy in between.`,
              'Rerun with a longer --timeout to tell slow from stuck.',
            ],
      });
    }),
  ),
  rule(cutMeta, (ev) =>
    transportFailures(ev, ['cut']).map((g) => {
      const x = g.exchanges[0]!;
      const ms = x.timings.total;
      const answered = x.response ? `${x.response.status} from ${answerer(x)}` : 'an answer';
      const received = x.response ? `, with ${bytesOf(x)} received` : '';
      const verb = /\b(reset|closed) the connection\b/.exec(x.error?.message ?? '')?.[1] ?? 'closed';
      return report(cutMeta, {
        step: g.step,
        severity: g.severity,
        cause:
          `${labelsOf(g.exchanges)} got ${answered}, then ${g.host} ${verb} the connection ${seconds(ms)} after the request${received}: ` +
          (ms >= 1000
            ? `a server or proxy timeout of about ${seconds(ms)} cut the transfer${timeoutHint(ms)}.`
            : 'the server or a proxy in between ended the transfer early (a crashed or restarted worker, or a timeout set that short).'),
        evidence: g.exchanges.map((e) => e.id),
        fix: [
          'MLflow 2.x runs gunicorn, whose worker --timeout (default 30 s) kills a worker mid-download: raise it (`mlflow server --gunicorn-opts "--timeout 300"`); its log shows WORKER TIMEOUT.',
          'A proxy in between: raise nginx proxy_read_timeout/proxy_send_timeout (default 60 s; its error log says "upstream timed out"), HAProxy timeout server, or the load balancer idle timeout, for the MLflow paths.',
          `Compare the ${seconds(ms)} with those settings: the one that matches cut the transfer.`,
        ],
      });
    }),
  ),
  rule(resetMeta, (ev) =>
    // A hang-up by a port that speaks TLS (the tls-port probe showed it) is TLS_SCHEME_MISMATCH's.
    transportFailures(ev, ['reset'])
      .filter((g) => !g.exchanges.some((x) => tlsPortProof(ev, x.request.url)))
      .map((g) =>
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

/** `the 2.0 s --timeout`: how long the requests were waited for. */
function waitedText(xs: readonly CheckExchange[]): string {
  const waited = Math.max(...xs.map((x) => x.error?.waitedMs ?? 0));
  // A body's whole exchange is bounded by twice --timeout (http/client.ts), its headers by --timeout.
  if (waited > 0)
    return xs.some((x) => x.error?.message.includes('no complete response'))
      ? `${seconds(waited)} (twice --timeout)`
      : `the ${seconds(waited)} --timeout`;
  const total = Math.max(...xs.map((x) => x.timings.total));
  return total > 0 ? seconds(total) : '';
}

/**
 * '; it answered 4 earlier requests of this check (last: 200 from MLflow), so it is up and the hop
 * behind it is slower than that' — or '' when the host never answered.
 */
function answeredBefore(ev: Evidence, host: string, failed: readonly CheckExchange[]): string {
  const first = Math.min(...failed.map((x) => Date.parse(x.startedAt)));
  const ids = new Set(failed.map((x) => x.id));
  const answered = ev.exchanges.filter(
    (x) => x.response && !ids.has(x.id) && hostOf(x.request.url) === host && Date.parse(x.startedAt) <= first,
  );
  const last = answered[answered.length - 1];
  if (!last?.response) return '';
  const n = answered.length;
  return `; it answered ${n} earlier request${n === 1 ? '' : 's'} of this check (last: ${last.label}, ${last.response.status} from ${answerer(last)}), so it is up and the hop behind it is slower than that`;
}

/** 'MLflow (via nginx)'. */
function answerer(x: CheckExchange): string {
  const responder = responderOf(x);
  const outer = chainOf(x).filter((r) => r !== responder);
  return `${responderWords(responder)}${outer.length > 0 ? ` (via ${outer.map(responderWords).join(', ')})` : ''}`;
}

/** '1048576 of 8388608 body bytes'. */
function bytesOf(x: CheckExchange): string {
  const expected = x.response?.headers.find(([n]) => n === 'content-length')?.[1];
  return `${x.response?.bodySize ?? 0}${expected !== undefined ? ` of ${expected}` : ''} body bytes`;
}

/** Names the usual timeout whose default matches the seconds, if one does. */
function timeoutHint(ms: number): string {
  const s = ms / 1000;
  if (s >= 29 && s < 34) return " (30 s is gunicorn's default worker --timeout, which MLflow 2.x servers run with)";
  if (s >= 59 && s < 64) return ' (60 s is the default of nginx proxy_read_timeout and of an AWS ALB idle timeout)';
  return ' (a worker --timeout, a proxy read timeout or a load balancer idle timeout)';
}

function hostOfUrl(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}

/** 'auth.example.test' without the port, which a name lookup does not use. */
function hostName(host: string): string {
  return host.replace(/:\d+$/, '');
}
