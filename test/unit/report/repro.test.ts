import { describe, expect, it } from 'vitest';
import { curlTokens, shellTokens } from '../../../src/report/repro.js';
import { confirmCommand, shellQuote } from '../../../src/config/target-flags.js';
import type { ReportExchange } from '../../../src/report/schema.js';
import { incidentReport } from './fixture.js';

function exchange(over: Partial<ReportExchange['request']>): ReportExchange {
  const base = incidentReport().targets[0]!.exchanges[0]!;
  return { ...base, request: { ...base.request, ...over } };
}

describe('curl lines', () => {
  it('sends a JSON body inline, quoted for the shell, with the key as the env var', () => {
    const x = exchange({
      method: 'POST',
      url: "https://auth.example.test/api/v1/keys/validate?q=it's",
      headers: [
        ['authorization', 'Bearer hk_test_…abcd'],
        ['content-type', 'application/json'],
        ['user-agent', 'hokus-check/0.1.0'],
      ],
      bodyExcerpt: `{"name":"it's"}`,
      bodySize: 15,
    });
    const line = curlTokens(x, 'STAGING_KEY').join(' ');
    expect(line).toBe(
      `curl -sS -i -X POST 'https://auth.example.test/api/v1/keys/validate?q=it'\\''s' -H "Authorization: Bearer $STAGING_KEY" -H 'Content-Type: application/json' --data-raw '{"name":"it'\\''s"}'`,
    );
    expect(line).not.toContain('hk_test_');
    expect(line).not.toContain('user-agent');
  });

  it('sends X-API-Key the same way, and a binary body from a file of the same size', () => {
    const x = exchange({ method: 'PUT', url: 'https://r.example.test/a.bin', headers: [['x-api-key', 'hk_test_…abcd']], bodySize: 70 });
    delete x.request.bodyExcerpt;
    expect(curlTokens(x, 'HOKUSAI_API_KEY').join(' ')).toBe(
      `head -c 70 /dev/urandom > hokus-check-body.bin && curl -sS -i -X PUT 'https://r.example.test/a.bin' -H "X-API-Key: $HOKUSAI_API_KEY" --data-binary @hokus-check-body.bin`,
    );
  });

  it('splits its own lines back into whole tokens', () => {
    expect(shellTokens(`curl -H 'A: b c' -H "X: $K" ${shellQuote("it's")}`)).toEqual([
      'curl',
      '-H',
      "'A: b c'",
      '-H',
      '"X: $K"',
      `'it'\\''s'`,
    ]);
  });
});

describe('confirm command', () => {
  it('names the environment when the target came from the config file', () => {
    expect(confirmCommand(incidentReport().targets[0]!, 'artifact')).toBe('hokus-check --env prod --only artifact');
  });

  it('repeats the flags that differ from the defaults when the target came from flags', () => {
    const t = {
      ...incidentReport().targets[0]!,
      name: 'default',
      authUrl: 'https://auth.example.test',
      mlflowPath: '/mlflow proxy',
      serviceId: 'ml-platform',
      apiKeyEnv: 'MY_KEY',
    };
    expect(confirmCommand(t, 'auth')).toBe(
      `hokus-check --registry-url https://registry.example.test --auth-url https://auth.example.test --mlflow-path '/mlflow proxy' --mlflow-direct-url http://mlflow.example.test:5000 --service-id ml-platform --api-key-env MY_KEY --only auth`,
    );
  });
});
