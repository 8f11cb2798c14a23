// Every rule, in one list: what the engine runs, what `explain` prints, what the README's catalogue
// is generated from.
import { rules as artifact } from './rules/artifact.js';
import { rules as baseUrl } from './rules/base-url.js';
import { rules as clientCert } from './rules/client-cert.js';
import { rules as forwardProxy } from './rules/forward-proxy.js';
import { rules as auth } from './rules/auth.js';
import { rules as gateway } from './rules/gateway.js';
import { rules as generic } from './rules/generic.js';
import { rules as health } from './rules/health.js';
import { rules as mlflow } from './rules/mlflow.js';
import { rules as mlflowAuth } from './rules/mlflow-auth.js';
import { rules as network } from './rules/network.js';
import { rules as registry } from './rules/registry.js';
import { rules as response } from './rules/response.js';
import { rules as routing } from './rules/routing.js';
import { rules as tls } from './rules/tls.js';
import type { Rule } from './types.js';

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

const BY_CODE = new Map(RULES.map((r) => [r.meta.code, r]));

export function ruleFor(code: string): Rule | undefined {
  return BY_CODE.get(code);
}
