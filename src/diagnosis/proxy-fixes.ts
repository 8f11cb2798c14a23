// What to change in the proxy that answered, in its own terms: the gateway and routing rules name
// the component (signatures.ts) and take the fix for it from here.
import type { Responder } from '../http/types.js';

export type ProxyFault = 'unreachable' | 'timeout' | 'not-routed' | 'prefix' | 'method' | 'rate-limit' | 'login' | 'forbidden';

type Fixes = Partial<Record<ProxyFault, string>>;

const FIXES: Partial<Record<Responder, Fixes>> = {
  nginx: {
    forbidden: 'Remove or widen the `deny`/`allow` rules (or the `auth_request`, `limit_except`, WAF module) of the location serving this path; error.log names it ("access forbidden by rule").',
    login: 'Exempt the API paths from the login: `auth_basic off;` in the locations that serve /api/, /health and the auth service (or `satisfy any;` with an `allow` for the checking host).',
    unreachable: "Check the `proxy_pass` target of the location serving this path, and nginx's error.log (\"connect() failed (111: Connection refused) while connecting to upstream\"); in Kubernetes, the Service's endpoints.",
    timeout: 'Raise `proxy_read_timeout` (default 60s) in that location (ingress-nginx: nginx.ingress.kubernetes.io/proxy-read-timeout), or find why the upstream is slow.',
    'not-routed': 'Add a `location` for this path that proxies to the right upstream (nginx answers 404/405 itself for paths it serves as files).',
    prefix: 'Strip the mount prefix: `location /api/mlflow/ { proxy_pass http://mlflow:5000/; }` — the trailing slash on proxy_pass replaces the prefix (ingress-nginx: rewrite-target).',
    method: 'Allow PUT (and DELETE) on the artifact path: remove the `limit_except`/`deny` that refuses it.',
    'rate-limit': 'Raise the `limit_req` rate/burst for this path (limit_req_status says 429 or 503), or exempt the check.',
  },
  haproxy: {
    forbidden: 'Find the `http-request deny` (or `tcp-request`/ACL) that matches this path and narrow it.',
    login: 'Exempt the API paths from the login: `http-request auth realm … unless { http_auth(users) } || { path_beg /api/ /health }` — or an ACL for the checking host.',
    unreachable: "Check the `server` line of the backend serving this path and its health (`show servers state` on the stats socket; log termination flags 'SC'/'sC').",
    timeout: 'Raise `timeout server` in that backend, or find why the upstream is slow.',
    'not-routed': 'Add a `use_backend` rule for this path (HAProxy answers itself when no backend matches).',
    prefix: 'Strip the mount prefix in the backend: `http-request replace-path ^/api/mlflow(/.*) \\1`.',
    method: 'Remove the `http-request deny` that refuses PUT on the artifact path.',
    'rate-limit': 'Raise the stick-table rate limit (`http-request deny … if { sc_http_req_rate(0) gt N }`) for this path, or exempt the check.',
  },
  apache: {
    forbidden: 'Fix the `Require` rules for this path (`Require all denied`, `Require ip …`, or a `<Location>`/`<Directory>` that covers it); error.log says "AH01630: client denied by server configuration".',
    login: 'Exempt the API paths from the login: `<Location "/api/"> Require all granted </Location>` (and /health), outside the `AuthType Basic` block.',
    unreachable: 'Check the `ProxyPass` target for this path and error.log ("AH00957: http: attempt to connect to … failed"); with SELinux, httpd_can_network_connect.',
    timeout: 'Raise `ProxyTimeout` (or `timeout=` on the ProxyPass line), or find why the upstream is slow.',
    'not-routed': 'Add a `ProxyPass` for this path (Apache serves it from DocumentRoot otherwise).',
    prefix: 'Map the prefix away: `ProxyPass /api/mlflow/ http://mlflow:5000/`.',
    method: 'Remove the `<Limit PUT>`/`Require all denied` (or mod_allowmethods) that refuses PUT on the artifact path.',
  },
  caddy: {
    forbidden: 'Find the matcher that answers 403 for this path (`respond … 403`, `abort`, a `remote_ip` matcher) and narrow it.',
    login: 'Exempt the API paths from the login: give `basicauth` a matcher that leaves them out (`@ui not path /api/* /health*` then `basicauth @ui { … }`).',
    unreachable: "Check the `reverse_proxy` upstream address for this path and Caddy's log (\"dial tcp …: connect: connection refused\").",
    timeout: 'Raise the `reverse_proxy` transport timeouts (response_header_timeout, read_timeout), or find why the upstream is slow.',
    'not-routed': 'Add a `handle`/`reverse_proxy` for this path (Caddy answers unrouted paths itself).',
    prefix: 'Use `handle_path /api/mlflow/*` (or `uri strip_prefix /api/mlflow`) before `reverse_proxy`.',
    method: 'Remove the matcher that answers PUT itself on the artifact path.',
  },
  'load-balancer': {
    forbidden: 'Check the WAF (AWS WAF web ACL) and the listener rules for this path: a rule blocks it.',
    login: "Exempt the API paths from the listener rule's authentication (an ALB authenticate action, an oauth2-proxy in front): API clients cannot pass a browser login.",
    unreachable: 'Check the target group of the listener rule for this path: registered, healthy targets on the right port.',
    timeout: "Raise the load balancer's idle timeout (ALB default 60 s) above the slowest call, or find why the target is slow.",
    'not-routed': 'Add a listener rule for this path on every listener (HTTPS too).',
    'rate-limit': 'Raise the rate-based rule (AWS WAF) that answers 429 for this path, or exempt the check.',
  },
  cloudfront: {
    unreachable: "Check the distribution's origin for this path (behavior → origin domain, protocol and port).",
    timeout: "Raise the origin's response timeout (default 30 s).",
  },
  cloudflare: {
    forbidden: 'Check the Cloudflare WAF/firewall events for this request (Security → Events): a rule blocks it.',
    unreachable: 'Cloudflare cannot reach the origin (52x): check the origin server, its firewall for Cloudflare IPs, and the SSL mode.',
    timeout: 'Cloudflare waited 100 s for the origin (524): find why the origin is slow.',
  },
  'google-lb': {
    unreachable: "Check the backend service's health check and backends (failed_to_pick_backend in the load balancer's logs).",
    timeout: "Raise the backend service's timeout (default 30 s).",
  },
  envoy: {
    unreachable: "Check the cluster for this route: healthy endpoints (\"no healthy upstream\"), the Service's port name and mTLS mode (Istio).",
    timeout: 'Raise the route timeout (15 s by default; Istio VirtualService `timeout`).',
    'rate-limit': 'Raise the local/global rate limit for this route.',
  },
  traefik: {
    unreachable: "Check the service's servers (load balancer URL and port) for this router.",
    timeout: "Raise the servers transport's responseHeaderTimeout, or the entry point's respondingTimeouts.",
    'not-routed': 'Add a router rule (PathPrefix) for this path.',
    prefix: 'Add a StripPrefix middleware for the mount prefix.',
  },
  kong: {
    unreachable: "Check the service's upstream host and port (and the upstream's targets' health).",
    timeout: "Raise the service's read_timeout (default 60 000 ms).",
    'not-routed': 'Add a route for this path to the MLflow service.',
    prefix: 'Set strip_path=true on the route.',
    'rate-limit': 'Raise the rate-limiting plugin limits for this consumer, or exempt the check.',
  },
};

const GENERIC: Record<ProxyFault, string> = {
  unreachable: 'Check where the proxy in front sends this path (its upstream address and port) and that the upstream is running.',
  timeout: "Raise the proxy's upstream read timeout above the slowest call, or find why the upstream is slow.",
  'not-routed': 'Add a route for this path to the proxy in front.',
  prefix: 'Make the proxy strip the mount prefix before forwarding to MLflow (MLflow serves /api/2.0/… at its root).',
  method: 'Allow PUT and DELETE on the artifact path in the proxy in front.',
  'rate-limit': 'Raise the rate limit of the proxy in front for this path, or exempt the check.',
  login: 'Exempt the API paths (/api/, /health, the auth service) from the login of the server in front, or allow the checking host without it.',
  forbidden: 'Find the access rule of the proxy in front that covers this path (deny/allow lists, IP allow-lists, a WAF) and let API clients through.',
};

export function proxyFix(component: Responder, fault: ProxyFault): string {
  return FIXES[component]?.[fault] ?? GENERIC[fault];
}
