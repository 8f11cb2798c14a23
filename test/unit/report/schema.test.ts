import { describe, expect, it } from 'vitest';
import { ReportSchema, SCHEMA_VERSION, reportJsonSchema } from '../../../src/report/schema.js';
import { fixtureReport } from './fixture.js';

describe('report v1 schema', () => {
  it('accepts the report built from a real two-target check', () => {
    const result = ReportSchema.safeParse(fixtureReport());
    expect(result.error?.issues ?? []).toEqual([]);
    expect(result.success).toBe(true);
  });

  it('survives a JSON round trip unchanged', () => {
    const report = fixtureReport();
    const parsed = ReportSchema.parse(JSON.parse(JSON.stringify(report)));
    expect(parsed).toEqual(report);
  });

  // Each row: what is broken, where (the value there is replaced, or removed when undefined), and the issue's path.
  it.each<[string, JsonPath, unknown, JsonPath]>([
    ['an unknown verdict', ['verdict'], 'broken', ['verdict']],
    ['a step status outside the enum', ['targets', 1, 'steps', 0, 'status'], 'ok', ['targets', 1, 'steps', 0, 'status']],
    ['an unknown step id on an exchange', ['targets', 0, 'exchanges', 0, 'step'], 'deploy', ['targets', 0, 'exchanges', 0, 'step']],
    ['an unmasked key', ['targets', 0, 'key'], 'hk_test_plainplainplain', ['targets', 0, 'key']],
    ['a negative duration', ['durationMs'], -5, ['durationMs']],
    ['a fractional step time', ['targets', 0, 'steps', 0, 'durationMs'], 1.5, ['targets', 0, 'steps', 0, 'durationMs']],
    ['a start time that is not ISO 8601', ['startedAt'], 'yesterday', ['startedAt']],
    ['a wrong schema version', ['schemaVersion'], 2, ['schemaVersion']],
    ['a lower-case finding code', ['targets', 1, 'findings', 0, 'code'], 'misrouted', ['targets', 1, 'findings', 0, 'code']],
    ['an unknown responder', ['targets', 1, 'exchanges', 7, 'chain'], ['hokusai-api', 'flask'], ['targets', 1, 'exchanges', 7, 'chain', 1]],
    ['a missing tool', ['tool'], undefined, ['tool']],
  ])('rejects %s', (_what, where, value, path) => {
    const report: unknown = JSON.parse(JSON.stringify(fixtureReport()));
    edit(report, where, value);
    const result = ReportSchema.safeParse(report);
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((i) => i.path)).toContainEqual(path);
  });

  it('prints a JSON Schema generated from the same definition', () => {
    const schema = reportJsonSchema() as SchemaNode;
    expect(schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    expect(schema.title).toBe('hokus-check report v1');
    expect(schema.required).toEqual(
      expect.arrayContaining(['schemaVersion', 'tool', 'startedAt', 'durationMs', 'verdict', 'exitCode', 'insecure', 'targets']),
    );
    expect(schema.properties?.schemaVersion?.const).toBe(SCHEMA_VERSION);
    expect(schema.properties?.verdict?.enum).toEqual(['pass', 'warn', 'fail', 'error', 'interrupted']);
    const step = schema.properties?.targets?.items?.properties?.steps?.items;
    expect(step?.properties?.status?.enum).toContain('blocked');
    expect(JSON.parse(JSON.stringify(schema))).toEqual(schema);
  });
});

type JsonPath = ReadonlyArray<string | number>;

/** Replaces the value at `path` in parsed JSON, or removes it when `value` is undefined. */
function edit(json: unknown, path: JsonPath, value: unknown): void {
  const parent = path.slice(0, -1).reduce<unknown>((node, key) => (node as Record<string | number, unknown>)[key], json) as Record<
    string | number,
    unknown
  >;
  const key = path[path.length - 1]!;
  if (value === undefined) delete parent[key];
  else parent[key] = value;
}

/** The parts of a JSON Schema this test reads. */
interface SchemaNode {
  $schema?: string;
  title?: string;
  required?: string[];
  const?: unknown;
  enum?: unknown[];
  properties?: Record<string, SchemaNode>;
  items?: SchemaNode;
}
