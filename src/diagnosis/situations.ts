// The situations a hop in front can show, whatever product it is (ARCHITECTURE.md, "src/diagnosis",
// the diagnosis's second pass): one vocabulary for the profiles' pages and fixes
// (profiles/), for the reading of a hop's answer (hop-situation.ts) and for the rules that name it.
// A situation is decided from HTTP and the check's own evidence; a profile only names the product
// and gives the fix in its terms.

export const SITUATIONS = [
  /** It cannot reach its upstream: its own 502/503 (52x), or a 500 of its own. */
  'upstream-unreachable',
  /** It gave up waiting for its upstream: 504/524, a 5xx that says so, or one at a round timeout. */
  'upstream-timeout',
  /** It has no route for the path: its own 404. */
  'no-route',
  /** It forwards the mount prefix to MLflow, where no route exists (MLflow's own 404). */
  'prefix-kept',
  /** It refuses the method (PUT) on a path where GET and POST pass. */
  'method-refused',
  /** An access rule of its own refuses the path: 403. */
  'path-refused',
  /** It asks for a login of its own: a 401 challenge, a redirect to an identity provider. */
  'login',
  /** It refuses the request body as too large: 413, or a reset that a small upload does not get. */
  'too-large',
  /** Its own rate limit: 429, a 503 with Retry-After or after calls through it passed. */
  'rate-limited',
  /** Mutual TLS: it requires a client certificate and none was sent (its 400/401/403 says so). */
  'client-cert-required',
  /** Mutual TLS: it refused the client certificate sent (not trusted, revoked, expired). */
  'client-cert-rejected',
  /** Any other refusal of its own (400, 411, 414, 421, 431, …). */
  'request-refused',
] as const;

export type Situation = (typeof SITUATIONS)[number];

/** The fix of each situation for a front no profile names: the position's words, no product's. */
export const GENERIC_FIXES: Readonly<Record<Situation, string>> = {
  'upstream-unreachable':
    "Check where the hop in front sends this path (its upstream address and port), that the upstream is running and healthy, and the hop's own log for the connection error.",
  'upstream-timeout':
    "Raise the hop's upstream read timeout above the slowest call, or find why the upstream is slow (its logs around this time).",
  'no-route': 'Add a route for this path to the hop in front, to the same upstream as the paths that pass.',
  'prefix-kept': 'Make the hop in front strip the mount prefix before forwarding to MLflow (MLflow serves /api/2.0/… at its root).',
  'method-refused':
    'Allow PUT and DELETE on the artifact path in the hop in front (a method allow-list, a WAF rule, an API gateway route limited to GET/POST).',
  'path-refused':
    'Find the access rule of the hop in front that covers this path (deny/allow lists, IP allow-lists, a WAF, an authorisation policy) and let API clients through.',
  login:
    'Exempt the API paths (/api/, /health, the auth service) from the login of the hop in front, or allow the checking host without it.',
  'too-large':
    'Raise the request body limit of the hop in front above your largest model, or enable multipart uploads (MLFLOW_ENABLE_PROXY_MULTIPART_UPLOAD=true).',
  'rate-limited': 'Raise the rate limit of the hop in front for this path, or exempt the check.',
  'client-cert-required':
    'Give hokus-check the client certificate the hop in front requires: --client-cert client.pem --client-key client.key (or clientCert/clientKey in the environment of the config file).',
  'client-cert-rejected':
    "Use a client certificate signed by a CA the hop in front trusts for clients, valid now and meant for client authentication; the hop's own log says why it refused this one.",
  'request-refused': "Read the status and the hop's own log: it refused the request before forwarding it.",
};
