// Where each setting of a target or a check comes from besides the file: its flag and its HOKUS_CHECK_*
// variable. The one owner of these names on the config side: resolve.ts reads flags and variables by
// them and names them in messages, target-flags.ts prints them. The CLI defines the same flags with
// commander (cli-flags.ts); test/unit/cli-flags.test.ts holds the two to each other.
import type { OptionField, TargetField } from './file-schema.js';

export type Field = TargetField | OptionField;

export const FIELDS: Readonly<Record<Field, { flag: `--${string}`; env?: `HOKUS_CHECK_${string}` }>> = {
  registryUrl: { flag: '--registry-url', env: 'HOKUS_CHECK_REGISTRY_URL' },
  authUrl: { flag: '--auth-url', env: 'HOKUS_CHECK_AUTH_URL' },
  mlflowPath: { flag: '--mlflow-path', env: 'HOKUS_CHECK_MLFLOW_PATH' },
  mlflowUrl: { flag: '--mlflow-url', env: 'HOKUS_CHECK_MLFLOW_URL' },
  mlflowDirectUrl: { flag: '--mlflow-direct-url', env: 'HOKUS_CHECK_MLFLOW_DIRECT_URL' },
  serviceId: { flag: '--service-id', env: 'HOKUS_CHECK_SERVICE_ID' },
  apiKeyEnv: { flag: '--api-key-env', env: 'HOKUS_CHECK_API_KEY_ENV' },
  clientCert: { flag: '--client-cert', env: 'HOKUS_CHECK_CLIENT_CERT' },
  clientKey: { flag: '--client-key', env: 'HOKUS_CHECK_CLIENT_KEY' },
  timeout: { flag: '--timeout', env: 'HOKUS_CHECK_TIMEOUT' },
  connectTimeout: { flag: '--connect-timeout', env: 'HOKUS_CHECK_CONNECT_TIMEOUT' },
  deadline: { flag: '--deadline', env: 'HOKUS_CHECK_DEADLINE' },
  retries: { flag: '--retries', env: 'HOKUS_CHECK_RETRIES' },
  artifactSize: { flag: '--artifact-size', env: 'HOKUS_CHECK_ARTIFACT_SIZE' },
  registerWait: { flag: '--register-wait' },
};
