// Every rule, in one list: what the engine runs; and every code, rules' and the engine's own: what
// `explain` prints, what the README's catalogue is generated from.
import { rules as artifact } from './rules/artifact.js';
import { rules as baseUrl } from './rules/base-url.js';
import { rules as clientCert } from './rules/client-cert.js';
import { rules as forwardProxy } from './rules/forward-proxy.js';
import { rules as auth } from './rules/auth.js';
import { rules as gateway } from './rules/gateway.js';
import { rules as generic, ruleFailedMeta } from './rules/generic.js';
import { rules as health } from './rules/health.js';
import { rules as mlflow } from './rules/mlflow.js';
import { rules as mlflowAuth } from './rules/mlflow-auth.js';
import { rules as network } from './rules/network.js';
import { rules as registry } from './rules/registry.js';
import { rules as response } from './rules/response.js';
import { rules as routing } from './rules/routing.js';
import { rules as tls } from './rules/tls.js';
import type { Rule, RuleMeta } from './types.js';

export const RULES: Rule[] = [
  ...forwardProxy,
  ...network,
  ...tls,
  ...clientCert,
  ...auth,
  ...mlflowAuth,
  ...baseUrl,
  ...routing,
  ...gateway,
  ...artifact,
  ...mlflow,
  ...registry,
  ...response,
  ...health,
  ...generic,
];

/** Codes the engine raises itself, matched by no rule (engine.ts: a rule that threw). */
export const ENGINE_CODES: readonly RuleMeta[] = [ruleFailedMeta];

/** Every code's metadata: the rules', then the engine's own. */
export const METAS: readonly RuleMeta[] = [...RULES.map((r) => r.meta), ...ENGINE_CODES];

const BY_CODE = new Map(RULES.map((r) => [r.meta.code, r]));
const META_BY_CODE = new Map(METAS.map((m) => [m.code, m]));

export function ruleFor(code: string): Rule | undefined {
  return BY_CODE.get(code);
}

export function metaFor(code: string): RuleMeta | undefined {
  return META_BY_CODE.get(code);
}
