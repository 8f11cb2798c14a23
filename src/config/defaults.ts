// Every built-in value a user can override, written as the user would type it ('10s', '4KiB', '1h'):
// one owner. resolve.ts's built-in layer parses them with the same checks as a flag (durations.ts,
// sizes.ts); the help of every flag that states a default is built from them (cli-flags.ts; a test
// reads the help back); sweep, the exporter, `init`'s example config, the commands printed for users
// (target-flags.ts) and the report's repro lines read them here. Keys are the options' names as
// commander reads them (`--connect-timeout` → connectTimeout).
import type { OptionField, TargetField } from './file-schema.js';

export const DEFAULTS = {
  /** The proxy mount of MLflow on the registry. */
  mlflowPath: '/api/mlflow',
  /** The service the key must be valid for. */
  serviceId: 'platform',
  /** The env var that holds the key. */
  apiKeyEnv: 'HOKUSAI_API_KEY',
  /** The config file read from the working directory when there is one and --config names none; what `init` writes. */
  config: 'hokus-check.config.json',
  /** Per request. */
  timeout: '10s',
  connectTimeout: '5s',
  /** For the whole check. */
  deadline: '2m',
  /** Of a transient failure. */
  retries: '2',
  artifactSize: '4KiB',
  /** How long a model version may stay PENDING_REGISTRATION. */
  registerWait: '30s',
  /** sweep: only leftovers older than this. */
  olderThan: '1h',
  /** exporter: where it listens. */
  listen: '127.0.0.1:9464',
} as const satisfies Record<OptionField | Extract<TargetField, 'mlflowPath' | 'serviceId' | 'apiKeyEnv'>, string> & Record<string, string>;
