// AWS Application Load Balancer: documented (ALB docs, "Troubleshoot your Application Load Balancers";
// the edge the Hokusai platform runs in front of its registry and auth service).
import type { Profile } from './types.js';

export const awsAlb = {
  id: 'load-balancer',
  words: 'the AWS load balancer',
  role: 'proxy',
  headers: [
    {
      header: 'server',
      value: /^awselb\b/i,
      source:
        'documented: AWS ALB answers it generates carry `Server: awselb/2.0` (ALB docs, "Troubleshoot your Application Load Balancers")',
    },
  ],
  pages: [
    {
      status: [502, 503, 504],
      body: /^<html>\s*<head><title>\d{3} [^<]*<\/title><\/head>\s*<body>\s*<center><h1>\d{3} [^<]*<\/h1><\/center>\s*<\/body>\s*<\/html>\s*$/i,
      header: { name: 'server', value: /^awselb/i },
      source:
        'documented: AWS ALB 502/503/504 pages ("503 Service Temporarily Unavailable", "504 Gateway Time-out"; ALB docs, HTTP 502/503/504 troubleshooting)',
    },
    {
      status: [404],
      body: /^Not Found$/,
      header: { name: 'server', value: /^awselb/i },
      situation: 'no-route',
      source:
        'documented: an ALB listener\'s default fixed response, text/plain "Not Found" (the Hokusai platform\'s HTTPS listener answered every request so while it had no rules)',
    },
  ],
  fixes: {
    'path-refused': 'Check the WAF (AWS WAF web ACL) and the listener rules for this path: a rule blocks it.',
    login:
      "Exempt the API paths from the listener rule's authenticate-oidc/cognito action (a rule for /api/* and /health without it): API clients cannot pass a browser login.",
    'upstream-unreachable':
      'Check the target group of the listener rule for this path: registered, healthy targets on the right port. Unhealthy targets: the service\'s tasks crash-loop (stopped-task reason, container logs: SyntaxError, ImportError, a missing env var), "exec format error" (an arm64 image on amd64: `docker build --platform linux/amd64`), or the health check\'s path/matcher fail (/health → 200, answering fast).',
    'upstream-timeout': "Raise the load balancer's idle timeout (ALB default 60 s) above the slowest call, or find why the target is slow.",
    'no-route': 'Add a listener rule for this path on every listener (HTTPS too): the default action answered.',
    'rate-limited': 'Raise the rate-based rule (AWS WAF) that answers 429 for this path, or exempt the check.',
    'too-large': 'Raise the body limit of the load balancer or API gateway in front of the registry (API Gateway caps payloads at 10 MB).',
  },
} as const satisfies Profile;
