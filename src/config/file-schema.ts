// The shape of hokus-check.config.json (README "Checking a real deployment"; example in config/example.ts) as a zod 4 schema, and its problems as one line
// each with a JSON path. Objects are strict: a typo such as "registryURL" is an error, not a silent default.
//
//   { "$schema"?, "$comment"?, "defaults"?: Entry, "environments": { "<name>": Entry } }
//   Entry = { "$comment"?, registryUrl?, authUrl?, mlflowPath?, mlflowUrl?, mlflowDirectUrl?, serviceId?,
//             apiKeyEnv?, clientCert?, clientKey?, timeout?, connectTimeout?, deadline?, retries?,
//             artifactSize?, registerWait? }
import { z } from 'zod';
import {
  checkBaseUrl,
  checkDuration,
  checkEnvVarName,
  checkFilePath,
  checkMlflowPath,
  checkRetries,
  checkServiceId,
  checkSize,
  type Checked,
  MAX_RETRIES,
} from './field-checks.js';
import { containsKey, findKeys, type KeyFinding } from './key-guard.js';
import { closest } from './suggest.js';
import { urlProblem } from './urls.js';

/**
 * Parsed config JSON checked against the schema: the config when it is valid, else every problem in
 * document order as 'json.path: message' lines (without the file name).
 */
export function validateConfig(data: unknown): { config?: ConfigFile; problems: string[] } {
  const keys = findKeys(data);
  const result = ConfigFileSchema.safeParse(data, { reportInput: true });
  const problems: Array<{ path: PropertyKey[]; message: string }> = keys.map((finding) => ({
    path: finding.path,
    message: keyMessage(finding),
  }));
  for (const issue of result.error?.issues ?? []) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) {
        const path = [...issue.path, key];
        if (!hiddenByKey(path, keys)) problems.push({ path, message: unknownKeyMessage(key, issue.path.length === 0) });
      }
    } else if (!hiddenByKey(issue.path, keys)) {
      problems.push({ path: issue.path, message: issue.message });
    }
  }
  if (problems.length === 0 && result.success) return { config: result.data, problems: [] };
  const lines = sortByDocumentOrder(problems, data).map(({ path, message }) => (path.length ? `${formatPath(path)}: ${message}` : message));
  return { problems: lines };
}

/** 'environments.staging.registryUrl'; unusual names in brackets: 'environments["eu west"]'. */
export function formatPath(path: readonly PropertyKey[]): string {
  return path
    .map((segment, i) => {
      if (typeof segment === 'number') return `[${segment}]`;
      const name = String(segment);
      if (containsKey(name)) return i === 0 ? '(name shaped like an API key)' : '.(name shaped like an API key)';
      if (/^[A-Za-z_$][A-Za-z0-9_$]*$/.test(name)) return i === 0 ? name : `.${name}`;
      return `[${JSON.stringify(name)}]`;
    })
    .join('');
}

export const TARGET_FIELDS = [
  'registryUrl',
  'authUrl',
  'mlflowPath',
  'mlflowUrl',
  'mlflowDirectUrl',
  'serviceId',
  'apiKeyEnv',
  'clientCert',
  'clientKey',
] as const;
export const OPTION_FIELDS = ['timeout', 'connectTimeout', 'deadline', 'retries', 'artifactSize', 'registerWait'] as const;
export type TargetField = (typeof TARGET_FIELDS)[number];
export type OptionField = (typeof OPTION_FIELDS)[number];

const Comment = z.union([z.string(), z.array(z.string())], {
  error: (iss) => typeMessage('a string or a list of strings', iss.input),
});

const BaseUrl = z
  .url({
    protocol: /^https?$/,
    abort: true,
    error: (iss) =>
      iss.code === 'invalid_type'
        ? typeMessage('a URL string such as "https://registry.hokus.ai"', iss.input)
        : (urlProblem(String(iss.input)) ?? `invalid URL (expected http(s)://host)`),
  })
  .superRefine(refineWith(checkBaseUrl));

const Entry = z.strictObject(
  {
    $comment: Comment.optional(),
    registryUrl: BaseUrl.optional(),
    authUrl: BaseUrl.optional(),
    mlflowPath: text('a path such as "/api/mlflow"', checkMlflowPath).optional(),
    mlflowUrl: BaseUrl.optional(),
    mlflowDirectUrl: BaseUrl.optional(),
    serviceId: text('a string such as "platform"', checkServiceId).optional(),
    apiKeyEnv: text('an env var name such as "HOKUSAI_API_KEY"', checkEnvVarName).optional(),
    // Paths of PEM files, relative to the config file's directory.
    clientCert: text('the path of a PEM file such as "certs/client.pem"', checkFilePath).optional(),
    clientKey: text('the path of a PEM file such as "certs/client.key"', checkFilePath).optional(),
    timeout: text('a duration string such as "10s"', (s) => checkDuration(s, true)).optional(),
    connectTimeout: text('a duration string such as "5s"', (s) => checkDuration(s, true)).optional(),
    deadline: text('a duration string such as "2m"', (s) => checkDuration(s, true)).optional(),
    retries: z
      .number({ error: (iss) => typeMessage(`an integer from 0 to ${MAX_RETRIES}`, iss.input) })
      .superRefine(refineWith(checkRetries))
      .optional(),
    artifactSize: text('a size string such as "4KiB"', checkSize).optional(),
    registerWait: text('a duration string such as "30s"', (s) => checkDuration(s, false)).optional(),
  },
  { error: (iss) => (iss.code === 'invalid_type' ? typeMessage('an object', iss.input) : undefined) },
);

const EnvironmentName = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/);

export const ConfigFileSchema = z.strictObject(
  {
    $schema: z.string({ error: (iss) => typeMessage('a string', iss.input) }).optional(),
    $comment: Comment.optional(),
    defaults: Entry.optional(),
    environments: z.record(EnvironmentName, Entry, {
      error: (iss) =>
        iss.code === 'invalid_key'
          ? 'environment names are letters, digits, ".", "_" and "-", starting with a letter or digit (they are used in --env lists and reports)'
          : iss.input === undefined
            ? 'missing: the file needs "environments": { "<name>": { "registryUrl": "https://…" } }'
            : typeMessage('an object of named environments', iss.input),
    }),
  },
  { error: (iss) => (iss.code === 'invalid_type' ? typeMessage('a JSON object at the top level', iss.input) : undefined) },
);

export type ConfigFile = z.infer<typeof ConfigFileSchema>;
export type ConfigEntry = z.infer<typeof Entry>;

const ENTRY_KEYS = ['$comment', ...TARGET_FIELDS, ...OPTION_FIELDS];
const TOP_KEYS = ['$schema', '$comment', 'defaults', 'environments'];

/** A string field whose value is judged by one of the shared field checks. */
function text(expected: string, check: (raw: string) => Checked<unknown>) {
  return z.string({ error: (iss) => typeMessage(expected, iss.input) }).superRefine(refineWith(check));
}

function refineWith<T>(check: (raw: T) => Checked<unknown>) {
  return (value: T, ctx: z.RefinementCtx) => {
    const { problem } = check(value);
    if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem });
  };
}

function typeMessage(expected: string, input: unknown): string {
  return input === undefined ? `missing (expected ${expected})` : `expected ${expected}, got ${describeType(input)}`;
}

function describeType(input: unknown): string {
  if (input === null) return 'null';
  if (Array.isArray(input)) return 'a list';
  if (typeof input === 'number' || typeof input === 'boolean') return `${typeof input} ${String(input)}`;
  if (typeof input === 'string') return 'a string';
  return typeof input === 'object' ? 'an object' : typeof input;
}

function keyMessage(finding: KeyFinding): string {
  return finding.kind === 'field'
    ? 'the API key never lives in the config file: remove it, keep the key in an env var and name that var with "apiKeyEnv" (default HOKUSAI_API_KEY)'
    : 'looks like an API key: the key never lives in the config file; keep it in an env var and name that var with "apiKeyEnv"';
}

function unknownKeyMessage(key: string, topLevel: boolean): string {
  if (key === '//' || key.startsWith('#')) return 'unknown key (JSON has no comments; use "$comment")';
  if (topLevel && ENTRY_KEYS.includes(key))
    return 'unknown key at the top level: target fields go under "defaults" or "environments.<name>"';
  const allowed = topLevel ? TOP_KEYS : ENTRY_KEYS;
  const guess = closest(key, allowed);
  return guess ? `unknown key (did you mean "${guess}"?)` : `unknown key (allowed: ${allowed.join(', ')})`;
}

/** Problems inside a key-shaped field or value are not reported again (and so never echo it). */
function hiddenByKey(path: readonly PropertyKey[], keys: KeyFinding[]): boolean {
  return keys.some((k) => k.path.length <= path.length && k.path.every((segment, i) => segment === path[i]));
}

/** Sort problems by where their path appears in the file; absent fields sort after present ones. */
function sortByDocumentOrder<T extends { path: PropertyKey[] }>(problems: T[], data: unknown): T[] {
  const position = (path: PropertyKey[]): number[] => {
    let node: unknown = data;
    return path.map((segment) => {
      if (node === null || typeof node !== 'object') return Number.MAX_SAFE_INTEGER;
      const index = Object.keys(node).indexOf(String(segment));
      node = (node as Record<string, unknown>)[String(segment)];
      return index < 0 ? Number.MAX_SAFE_INTEGER : index;
    });
  };
  const compare = (a: number[], b: number[]): number => {
    for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return (a[i] ?? 0) - (b[i] ?? 0);
    return a.length - b.length;
  };
  return problems
    .map((problem) => ({ problem, at: position(problem.path) }))
    .sort((x, y) => compare(x.at, y.at))
    .map((x) => x.problem);
}
