// Azure Application Gateway (v2): documented (Azure docs, "Troubleshooting bad gateway errors in
// Application Gateway"; its pages end in `<hr><center>Microsoft-Azure-Application-Gateway/v2</center>`).
import type { Profile } from './types.js';

export const azureAppGw = {
  id: 'azure-appgw',
  words: 'the Azure Application Gateway',
  role: 'proxy',
  headers: [
    {
      header: 'server',
      value: /^Microsoft-Azure-Application-Gateway\b/i,
      source: 'documented: Application Gateway v2 answers it generates carry `Server: Microsoft-Azure-Application-Gateway/v2`',
    },
  ],
  pages: [
    {
      body: /<hr><center>\s*Microsoft-Azure-Application-Gateway[^<]*<\/center>/i,
      source:
        'documented: Application Gateway v2 502/504 pages ("502 Bad Gateway", "504 Gateway Time-out", footer Microsoft-Azure-Application-Gateway/v2; Azure docs, application-gateway-troubleshooting-502)',
    },
  ],
  fixes: {
    'upstream-unreachable':
      "Check the backend pool of the rule for this path: targets present and healthy (Backend health in the portal), NSG/UDR rules on the gateway's subnet, DNS of FQDN targets, and the backend certificate with HTTPS settings.",
    'upstream-timeout': 'Raise the request timeout of the HTTP settings (backend settings, default 20 s), or find why the backend is slow.',
    'path-refused': 'Check the WAF policy of the listener (its logs name the rule that blocked the request).',
    'no-route': 'Add a path-based rule for this path on the listener.',
    'too-large': "Raise the WAF policy's request body limits (max request body / file upload size) or exclude the artifact path.",
  },
} as const satisfies Profile;
