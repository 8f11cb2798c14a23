// The stack's test-only clockSkewMs (for sweep's clock tests, test/e2e/sweep-clock.test.ts): MLflow's own timestamps and its
// Date header are off by it; the API's own Date in front of it and client-given values are not.
import { afterEach, describe, expect, it } from 'vitest';
import { startStack, type Stack } from '../../../src/sim/stack.js';
import { request } from './http.js';

const HOUR = 3_600_000;
let stack: Stack | undefined;
afterEach(async () => {
  await stack?.close();
  stack = undefined;
});

describe('startStack({ clockSkewMs })', () => {
  it("puts MLflow's clock 2 h behind: its Date header and creation_timestamp, not the API's Date nor a run's start_time", async () => {
    stack = await startStack({ clockSkewMs: -2 * HOUR });
    const startTime = Date.now();
    const exp = stack.seed.experiment('hokus-check');
    stack.seed.run({ experimentId: exp, name: 'r', startTime });
    stack.seed.registeredModel({ name: 'm' });

    const direct = await request(stack.mlflowUrl, '/api/2.0/mlflow/registered-models/get?name=m');
    const created = (direct.json() as { registered_model: { creation_timestamp: number } }).registered_model.creation_timestamp;
    expect(Math.abs(created - (Date.now() - 2 * HOUR))).toBeLessThan(5000);
    expect(Math.abs(Date.parse(direct.header('date')!) - (Date.now() - 2 * HOUR))).toBeLessThan(5000);

    // Through the API: uvicorn's Date first (the machine's clock), then MLflow's.
    const proxied = await request(stack.registryUrl, '/api/mlflow/api/2.0/mlflow/registered-models/get?name=m', {
      headers: { authorization: `Bearer ${stack.apiKey}` },
    });
    expect(proxied.status).toBe(200);
    const [api, mlflow] = proxied.all('date').map((d) => Date.parse(d));
    expect(Math.abs(api! - Date.now())).toBeLessThan(5000);
    expect(Math.abs(mlflow! - (Date.now() - 2 * HOUR))).toBeLessThan(5000);

    expect(stack.inventory().runs[0]!.startTime).toBe(startTime);
  });
});
