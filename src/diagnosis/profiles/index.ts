// Every component hokus-check can name, one profile per file; the responder vocabulary, the header
// and page tables and the per-product fixes all derive from this list. Adding a product is one file
// here and its captured pages (test/fixtures/proxies/). A profile names; it never decides a code.
import { GENERIC_FIXES, type Situation } from '../situations.js';
import { apache } from './apache.js';
import { awsAlb } from './aws-alb.js';
import { azureAppGw } from './azure-appgw.js';
import { caddy } from './caddy.js';
import { cloudflare } from './cloudflare.js';
import { cloudfront } from './cloudfront.js';
import { envoy } from './envoy.js';
import { googleLb } from './google-lb.js';
import { haproxy } from './haproxy.js';
import { hokusaiApi, hokusaiAuth, hokusaiProxy } from './hokusai.js';
import { kong } from './kong.js';
import { mlflow } from './mlflow.js';
import { nginx } from './nginx.js';
import { traefik } from './traefik.js';
import type { HeaderMark, PageMark, Profile } from './types.js';

export const PROFILES = [
  mlflow,
  hokusaiApi,
  hokusaiProxy,
  hokusaiAuth,
  awsAlb,
  nginx,
  haproxy,
  apache,
  caddy,
  cloudfront,
  cloudflare,
  googleLb,
  envoy,
  traefik,
  kong,
  azureAppGw,
] as const;

type ProfileId = (typeof PROFILES)[number]['id'];

/**
 * Who wrote an answer, as the report names it: a profile's id; 'hop' for a hop in front that no
 * profile names (its words come from its own headers); 'unknown' when nothing tells.
 */
export type Responder = ProfileId | 'hop' | 'unknown';

export const RESPONDERS = [...PROFILES.map((p) => p.id), 'hop', 'unknown'] as unknown as readonly [Responder, ...Responder[]];

const BY_ID: ReadonlyMap<string, Profile> = new Map(PROFILES.map((p) => [p.id, p as Profile]));

export function profileOf(id: Responder): Profile | undefined {
  return BY_ID.get(id);
}

/** How a finding names a responder with a profile ('nginx', 'the AWS load balancer'). */
export function componentWords(id: Responder): string {
  if (id === 'hop') return 'a hop in front';
  if (id === 'unknown') return 'an unidentified server';
  return BY_ID.get(id)?.words ?? id;
}

/** A reverse proxy, load balancer, CDN or gateway in front (named or not): not one of the services. */
export function isProxy(id: Responder): boolean {
  return id === 'hop' || BY_ID.get(id)?.role === 'proxy';
}

/** The fix of `situation` in the component's own terms, or the situation's generic fix. */
export function hopFix(id: Responder, situation: Situation): string {
  return BY_ID.get(id)?.fixes?.[situation] ?? GENERIC_FIXES[situation];
}

export interface HeaderSignature extends HeaderMark {
  component: Responder;
}

export interface PageSignature extends PageMark {
  component: Responder;
}

/** Every profile's header marks, with the component each names. */
export const HEADER_SIGNATURES: readonly HeaderSignature[] = PROFILES.flatMap((p) =>
  ((p as Profile).headers ?? []).map((h) => ({ ...h, component: p.id })),
);

/** Every profile's pages, most telling first (profile order, then each profile's own order). */
export const PAGE_SIGNATURES: readonly PageSignature[] = PROFILES.flatMap((p) =>
  ((p as Profile).pages ?? []).map((g) => ({ ...g, component: p.id })),
);

export interface PageMatch {
  component: Responder;
  situation?: Situation;
}

/** The profile page a body matches, given its status and headers. */
export function matchPage(status: number, text: string, header: (name: string) => string[]): PageMatch | undefined {
  for (const sig of PAGE_SIGNATURES) {
    if (sig.status && !sig.status.includes(status)) continue;
    if (!sig.body.test(text)) continue;
    if (sig.header && !header(sig.header.name).some((v) => sig.header!.value.test(v))) continue;
    return sig.situation ? { component: sig.component, situation: sig.situation } : { component: sig.component };
  }
  return undefined;
}

/** Components whose header marks this answer carries, in profile order. */
export function headerLayers(header: (name: string) => string[]): Responder[] {
  const out: Responder[] = [];
  for (const sig of HEADER_SIGNATURES) {
    if (header(sig.header).some((v) => sig.value.test(v)) && !out.includes(sig.component)) out.push(sig.component);
  }
  return out;
}

export { HOKUSAI_API_ERRORS, HOKUSAI_PROXY_DETAIL, HOKUSAI_PROXY_ERROR_CODE } from './hokusai.js';
export { MLFLOW_ERROR_CODES, isMlflowText, isMlflowWebServer, isWerkzeugCrash, isWerkzeugPage } from './mlflow.js';
