// Report v1: the one object every output format is rendered from, defined once as a zod schema.
// `hokus-check schema` prints reportJsonSchema(); `--json` writes an object that parses with it.
// Sample (abridged):
//   {"schemaVersion": 1, "tool": {"name": "hokus-check", "version": "0.1.0"}, "verdict": "fail",
//    "exitCode": 1, "targets": [{"name": "staging", "steps": [{"id": "artifact", "status": "fail",
//    "rootCause": true, "findings": [{"code": "ROUTE_ARTIFACTS_MISROUTED", …}]}], …}]}
import { z } from 'zod';
import { STEP_IDS } from '../steps/types.js';
import { RESPONDERS } from '../diagnosis/profiles/index.js';

import { SCHEMA_VERSION } from './version.js';

export { SCHEMA_VERSION };

const StepIdSchema = z.enum(STEP_IDS);
const StepStatusSchema = z.enum(['pass', 'fail', 'error', 'blocked', 'skipped', 'warn']);
export const VerdictSchema = z.enum(['pass', 'warn', 'fail', 'error', 'interrupted']);
const ResponderSchema = z.enum(RESPONDERS);
const NetErrorKindSchema = z.enum([
  'dns',
  'refused',
  'connect-timeout',
  'timeout',
  'reset',
  'tls-expired',
  'tls-untrusted',
  'tls-hostname',
  'tls-client-cert',
  'tls-other',
  'aborted',
  'body-too-large',
  'cut',
  'protocol',
  'key-boundary',
  'proxy-unreachable',
  'proxy-refused',
  'other',
]);

const DateTime = z.iso.datetime({ offset: true });
const Millis = z.number().int().nonnegative().describe('milliseconds');
const Count = z.number().int().nonnegative();
/** HAR-style phase time: milliseconds, -1 when not measured. */
const Phase = z.number().min(-1);
const FindingCode = z.string().regex(/^[A-Z][A-Z0-9_]*$/, 'an upper-case finding code');
const ExchangeId = z.string().regex(/^x\d+$/, "an exchange id like 'x7'");
const Header = z.tuple([z.string(), z.string()]);
/** W3C trace context ids (src/http/trace-context.ts): lower-case hex. */
const TraceId = z.string().regex(/^[0-9a-f]{32}$/, 'a W3C trace id: 32 lower-case hex digits');
const SpanId = z.string().regex(/^[0-9a-f]{16}$/, 'a W3C span id: 16 lower-case hex digits');

const TimingsSchema = z.object({
  blocked: Phase,
  dns: Phase,
  connect: Phase,
  ssl: Phase,
  send: Phase,
  wait: Phase,
  receive: Phase,
  total: Phase,
});

const ExchangeSchema = z.object({
  id: ExchangeId,
  step: StepIdSchema,
  probe: z.string().min(1).optional(),
  label: z.string(),
  attempt: z.number().int().min(1),
  startedAt: DateTime,
  request: z.object({
    method: z.string().min(1),
    /** Redacted absolute URL. */
    url: z.string().min(1),
    headers: z.array(Header),
    bodyExcerpt: z.string().optional(),
    bodySize: Count.optional(),
  }),
  response: z
    .object({
      status: z.number().int().min(100).max(999),
      statusText: z.string().optional(),
      headers: z.array(Header),
      contentType: z.string().optional(),
      bodyExcerpt: z.string(),
      bodySize: Count,
      truncated: z.boolean(),
      invalidUtf8: z.boolean().optional(),
      /** A binary body: bodyExcerpt describes it; sha256 of the bytes read, head the first bytes as hex. */
      binary: z.object({ sha256: z.string(), head: z.string().optional() }).optional(),
    })
    .optional(),
  error: z
    .object({
      kind: NetErrorKindSchema,
      code: z.string().optional(),
      message: z.string(),
      phase: z.enum(['connect', 'headers', 'body']).optional(),
      /** kind 'proxy-refused': the status the forward proxy answered CONNECT with. */
      proxyStatus: z.number().int().min(100).max(999).optional(),
    })
    .optional(),
  timings: TimingsSchema,
  /** The forward proxy (HTTPS_PROXY/HTTP_PROXY) the request was tunnelled through: scheme://host:port. */
  via: z.string().optional(),
  /** The TLS connection had the client certificate (--client-cert) to present: sent if the server asked for one. */
  clientCert: z.boolean().optional(),
  responder: ResponderSchema.optional(),
  /** Outermost first: ['hokusai-api', 'mlflow'] for a proxied MLflow reply. */
  chain: z.array(ResponderSchema).optional(),
  retried: z.boolean().optional(),
  /** The span id this try sent in its `traceparent` (the target's traceId is the trace); absent with --no-trace-context. */
  spanId: SpanId.optional(),
  /**
   * The request ids the answer carried, in its order (x-request-id, cf-ray, x-amzn-trace-id, …: the
   * list is src/http/request-ids.ts): server text, redacted, inert, at most 128 characters each.
   */
  requestIds: z.array(z.object({ header: z.string(), value: z.string() })).optional(),
});

const FindingSchema = z.object({
  code: FindingCode,
  title: z.string(),
  severity: z.enum(['error', 'warn']),
  step: StepIdSchema,
  cause: z.string(),
  /** Exchange ids of this target. */
  evidence: z.array(ExchangeId),
  fix: z.array(z.string()),
  rootCause: z.boolean(),
  related: z.array(FindingCode),
  /** Root cause only: curl command lines that send its failing requests again (key as "$ENV_VAR"). */
  repro: z.array(z.string()).optional(),
  /** Root cause only: the hokus-check command that reruns the step, with this run's target flags. */
  confirm: z.string().optional(),
});

/** A finding as listed under its step (the step is implied). */
const StepFindingSchema = FindingSchema.omit({ step: true });

const StepSchema = z.object({
  id: StepIdSchema,
  status: StepStatusSchema,
  durationMs: Millis,
  detail: z.string(),
  notes: z.array(z.string()),
  rootCause: z.boolean(),
  /** The step that blocked this one (status 'blocked'), else null or absent. */
  blockedBy: StepIdSchema.nullable().optional(),
  findings: z.array(StepFindingSchema),
  /** Ids of the exchanges this step made, probes included. */
  exchanges: z.array(ExchangeId),
});

const TargetSchema = z.object({
  name: z.string().min(1),
  kind: z.enum(['hokusai', 'mlflow']),
  registryUrl: z.url().optional(),
  authUrl: z.url().optional(),
  mlflowUrl: z.url().optional(),
  mlflowDirectUrl: z.url().optional(),
  mlflowPath: z.string(),
  serviceId: z.string(),
  /** Name of the environment variable the key was read from (never the key). */
  apiKeyEnv: z.string().optional(),
  /** The API key, masked ('hk_test_…a1b2'); never the key itself. */
  key: z.string().regex(/…/, 'a masked key').optional(),
  checkId: z.string().min(1),
  /** The W3C trace id every request of this target's check sent in `traceparent`; absent with --no-trace-context. */
  traceId: TraceId.optional(),
  startedAt: DateTime,
  verdict: VerdictSchema,
  durationMs: Millis,
  interrupted: z.boolean(),
  /** Resources left behind (--keep, or cleanup could not remove them). */
  leftovers: z.array(z.string()),
  /** With leftovers: the sweep that removes them and nothing else (by this check's id). */
  sweep: z.string().optional(),
  steps: z.array(StepSchema),
  /** Every finding of this target, root cause first. */
  findings: z.array(FindingSchema),
  /** Every exchange of this target in start order, redacted. */
  exchanges: z.array(ExchangeSchema),
});

export const ReportSchema = z
  .object({
    schemaVersion: z.literal(SCHEMA_VERSION),
    tool: z.object({ name: z.literal('hokus-check'), version: z.string().min(1) }),
    /** Set when every target shares one check id. */
    checkId: z.string().min(1).optional(),
    startedAt: DateTime,
    durationMs: Millis,
    verdict: VerdictSchema,
    exitCode: z.number().int().min(0).max(255),
    /** TLS verification was off (--insecure) for at least one target. */
    insecure: z.boolean(),
    targets: z.array(TargetSchema),
  })
  .meta({ title: 'hokus-check report v1' });

export type Report = z.infer<typeof ReportSchema>;
export type ReportTarget = Report['targets'][number];
export type ReportStep = ReportTarget['steps'][number];
export type ReportFinding = ReportTarget['findings'][number];
export type ReportExchange = ReportTarget['exchanges'][number];
export type Verdict = z.infer<typeof VerdictSchema>;

/** The report's JSON Schema (draft 2020-12), from the same zod schema that defines it. */
export function reportJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(ReportSchema, { target: 'draft-2020-12' });
}
