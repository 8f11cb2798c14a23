// How MLflow 2.12.2 turns a request into a proto message (handlers._get_request_message): a GET
// with a query string reads the message's fields from it; anything else reads the JSON body (POST
// and PUT must say Content-Type: application/json; malformed JSON counts as {}). Then the
// handler's schema runs — type checks only when proto parsing failed — giving the recorded
// "Missing value for required parameter 'x'" and "Invalid value … Hint: …" messages.
import type http from 'node:http';
import { readBody } from '../http/body.js';
import { pyStr, pyTypeName } from '../http/pyjson.js';
import { InternalServerError, MlflowError } from './wire.js';

export type FieldType = 'string' | 'int' | 'double' | 'bool' | 'enum' | 'string[]' | 'message' | 'message[]';

export interface FieldSpec {
  type: FieldType;
  /** enum: name → number. */
  values?: Record<string, number>;
  /** message / message[]: the nested message's fields. */
  fields?: MessageSpec;
}

export type MessageSpec = Record<string, FieldType | FieldSpec>;

type Check = (value: unknown) => void;
export type Validator = 'required' | 'string' | 'intlike' | 'floatlike' | 'bool' | 'array' | 'items-string' | Check;
export type Schema = Record<string, Validator[]>;

/** Validators that are skipped when proto parsing succeeded (handlers._TYPE_VALIDATORS). */
const TYPE_VALIDATORS = new Set<Validator>(['string', 'intlike', 'floatlike', 'bool', 'array', 'items-string']);

class AssertionFailed extends Error {}

export interface RequestSource {
  req: http.IncomingMessage;
  query: URLSearchParams;
  rawQuery: string;
}

/** The parsed message: field → value as proto would hold it (absent fields are undefined). */
export type Message = Record<string, unknown>;

export async function requestMessage(src: RequestSource, spec: MessageSpec, schema: Schema = {}): Promise<Message> {
  let json: unknown;
  if (src.req.method === 'GET' && src.rawQuery.length > 0) {
    const fromQuery: Record<string, unknown> = {};
    for (const [name, field] of Object.entries(spec)) {
      if (!src.query.has(name)) continue;
      const type = typeof field === 'string' ? field : field.type;
      fromQuery[name] = type.endsWith('[]') ? src.query.getAll(name) : src.query.get(name);
    }
    json = fromQuery;
  } else {
    json = await requestJson(src.req);
  }
  if (json === null || json === undefined) json = {};
  if (typeof json !== 'object' || Array.isArray(json)) throw new InternalServerError('request body is not a JSON object');
  const body = json as Record<string, unknown>;
  stringifyExperimentIds(body);

  let parsed: Message = {};
  let parseOk = true;
  try {
    parsed = parseMessage(body, spec);
  } catch {
    parseOk = false;
  }

  for (const [key, validators] of Object.entries(schema)) {
    if (!(key in body) && !validators.includes('required')) continue;
    let value = body[key];
    if (key === 'run_id' && (value === undefined || value === null) && 'run_uuid' in body) value = body.run_uuid;
    for (const v of validators) {
      if (parseOk && TYPE_VALIDATORS.has(v)) continue;
      try {
        runValidator(v, value);
      } catch (err) {
        if (!(err instanceof AssertionFailed)) throw err;
        const message =
          err.message ||
          (v === 'required'
            ? `Missing value for required parameter '${key}'.`
            : `Invalid value ${pyStr(value)} for parameter '${key}' supplied. Hint: Value was of type '${pyTypeName(value)}'.`);
        throw new MlflowError('INVALID_PARAMETER_VALUE', `${message} See the API docs for more information about request parameters.`);
      }
    }
  }
  return parsed;
}

/** handlers._get_request_json: Content-Type checked for POST/PUT only, then get_json(force, silent). */
export async function requestJson(req: http.IncomingMessage): Promise<unknown> {
  if (req.method === 'POST' || req.method === 'PUT') {
    const ct = req.headers['content-type'];
    if (ct === undefined) {
      throw new MlflowError('INVALID_PARAMETER_VALUE', 'Bad Request. Content-Type header is missing.');
    }
    if (ct.split(';')[0] !== 'application/json') {
      throw new MlflowError('INVALID_PARAMETER_VALUE', "Bad Request. Content-Type must be one of ['application/json'].");
    }
  }
  const body = await cachedBody(req);
  let json: unknown;
  try {
    json = JSON.parse(body.toString('utf8'));
  } catch {
    return null;
  }
  // Older clients double-encode their JSON as a string.
  if (typeof json === 'string') {
    try {
      return JSON.parse(json);
    } catch {
      throw new InternalServerError('double-encoded JSON is not JSON');
    }
  }
  return json;
}

const bodies = new WeakMap<http.IncomingMessage, Promise<Buffer>>();

/** The request body, read once (log-batch reads it twice, like MLflow's handler does). */
export function cachedBody(req: http.IncomingMessage): Promise<Buffer> {
  let body = bodies.get(req);
  if (!body) {
    body = readBody(req).then((r) => r.body);
    bodies.set(req, body);
  }
  return body;
}

/** proto_json_utils._stringify_all_experiment_ids: numeric experiment ids become strings. */
function stringifyExperimentIds(body: Record<string, unknown>): void {
  if (typeof body.experiment_id === 'number') body.experiment_id = String(body.experiment_id);
  if (Array.isArray(body.experiment_ids)) {
    body.experiment_ids = (body.experiment_ids as unknown[]).map((id) => (typeof id === 'number' ? String(id) : id));
  }
}

/** google.protobuf.json_format.ParseDict(ignore_unknown_fields=True), reduced to what we use. */
function parseMessage(json: Record<string, unknown>, spec: MessageSpec): Message {
  const out: Message = {};
  for (const [name, raw] of Object.entries(spec)) {
    const value = json[name];
    if (value === undefined || value === null) continue;
    const field: FieldSpec = typeof raw === 'string' ? { type: raw } : raw;
    out[name] = parseField(value, field);
  }
  return out;
}

function parseField(value: unknown, field: FieldSpec): unknown {
  switch (field.type) {
    case 'string':
      if (typeof value !== 'string') throw new Error('expected string');
      return value;
    case 'int': {
      if (typeof value === 'number' && Number.isInteger(value)) return value;
      if (typeof value === 'string' && /^\s*-?\d+\s*$/.test(value)) return Number(value);
      throw new Error('expected integer');
    }
    case 'double': {
      if (typeof value === 'number') return value;
      if (typeof value === 'string' && value.trim() !== '' && !Number.isNaN(Number(value))) return Number(value);
      if (value === 'NaN') return NaN;
      throw new Error('expected number');
    }
    case 'bool':
      if (typeof value !== 'boolean') throw new Error('expected bool');
      return value;
    case 'enum': {
      if (typeof value === 'string' && field.values && value in field.values) return value;
      if (typeof value === 'number' && field.values) {
        const name = Object.entries(field.values).find(([, n]) => n === value)?.[0];
        if (name) return name;
      }
      throw new Error('bad enum');
    }
    case 'string[]':
      if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) throw new Error('expected strings');
      return value;
    case 'message':
      if (typeof value !== 'object' || Array.isArray(value)) throw new Error('expected object');
      return parseMessage(value as Record<string, unknown>, field.fields ?? {});
    case 'message[]':
      if (!Array.isArray(value)) throw new Error('expected list');
      return value.map((item) => {
        if (typeof item !== 'object' || item === null || Array.isArray(item)) throw new Error('expected object');
        return parseMessage(item as Record<string, unknown>, field.fields ?? {});
      });
  }
}

function runValidator(v: Validator, value: unknown): void {
  const ok = (cond: boolean): void => {
    if (!cond) throw new AssertionFailed('');
  };
  switch (v) {
    case 'required':
      return ok(value !== undefined && value !== null && value !== '');
    case 'string':
      return ok(typeof value === 'string');
    case 'intlike':
      return ok(Number.isInteger(pyInt(value)));
    case 'floatlike':
      return ok(typeof pyFloat(value) === 'number');
    case 'bool':
      return ok(typeof value === 'boolean');
    case 'array':
      return ok(Array.isArray(value));
    case 'items-string':
      return ok(Array.isArray(value) && value.every((x) => typeof x === 'string'));
    default:
      try {
        v(value);
      } catch (err) {
        if (err instanceof InternalServerError) throw err;
        throw new AssertionFailed(err instanceof Error ? err.message : '');
      }
  }
}

/** Python's int(x) as _assert_intlike uses it: ValueError → x unchanged; TypeError escapes (HTML 500). */
export function pyInt(value: unknown): unknown {
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (typeof value === 'number') return Math.trunc(value);
  if (typeof value === 'string') return /^\s*[-+]?\d+\s*$/.test(value) ? Number(value) : value;
  throw new InternalServerError(`int() argument must be a string or a number, not '${pyTypeName(value)}'`);
}

function pyFloat(value: unknown): unknown {
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (typeof value === 'number') return value;
  if (typeof value === 'string') {
    const n = Number(value.trim());
    return value.trim() !== '' && !Number.isNaN(n) ? n : value;
  }
  throw new InternalServerError(`float() argument must be a string or a number, not '${pyTypeName(value)}'`);
}

/** A schema check with a bound: `lambda x: _assert_less_than_or_equal(int(x), max)`. */
export function atMost(max: number): Check {
  return (x) => {
    const n = pyInt(x);
    if (typeof n !== 'number') throw new InternalServerError(`invalid literal for int(): ${pyStr(x)}`);
    if (n > max) throw new Error('');
  };
}
