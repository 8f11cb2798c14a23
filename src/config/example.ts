// The config file `hokus-check init` writes: two environments and shared defaults, commented through
// "$comment" properties (JSON has none of its own), the key named by apiKeyEnv and never written down.
import { DEFAULTS } from './defaults.js';
import { CONFIG_FILE_NAME } from './load.js';

/** A commented example of hokus-check.config.json, valid against the schema, ending in a newline. */
export function exampleConfig(): string {
  return `${JSON.stringify(EXAMPLE, null, 2)}\n`;
}

const EXAMPLE = {
  $comment: [
    `${CONFIG_FILE_NAME}: the deployments hokus-check can check. Run: hokus-check --env staging (or --env staging,prod).`,
    'Precedence: flags > HOKUS_CHECK_* env vars > the environment below > "defaults" > built-in defaults.',
    `The API key never goes in this file: export it in the env var named by "apiKeyEnv" (default ${DEFAULTS.apiKeyEnv}).`,
    'Durations: 500ms, 10s, 5m, 1h30m (a bare number is seconds). Sizes: 4KiB, 200MiB, 1MB (1000-based), bytes.',
    'Unknown keys are errors, so a typo is caught. Comments go in "$comment" properties.',
  ],
  defaults: {
    $comment: [
      'Shared by every environment unless it sets the field itself. These are the built-in values.',
      'Timeouts, retries and sizes are one set per run: with several --env, set them here or by flag.',
    ],
    mlflowPath: DEFAULTS.mlflowPath,
    serviceId: DEFAULTS.serviceId,
    apiKeyEnv: DEFAULTS.apiKeyEnv,
    timeout: DEFAULTS.timeout,
    connectTimeout: DEFAULTS.connectTimeout,
    deadline: DEFAULTS.deadline,
    retries: Number(DEFAULTS.retries),
    artifactSize: DEFAULTS.artifactSize,
    registerWait: DEFAULTS.registerWait,
  },
  environments: {
    staging: {
      $comment: 'Replace these placeholders with your staging hosts. The key comes from $HOKUSAI_STAGING_API_KEY.',
      registryUrl: 'https://registry.staging.example.com',
      authUrl: 'https://auth.staging.example.com',
      apiKeyEnv: 'HOKUSAI_STAGING_API_KEY',
    },
    prod: {
      $comment: [
        'Optional: "mlflowDirectUrl" (MLflow inside the VPC, e.g. "http://mlflow.internal:5000") enables the',
        'differential probe that bypasses the proxy, and registry deletes the proxy cannot forward.',
        'For a plain MLflow server with no Hokusai in front, set "mlflowUrl" instead of registryUrl/authUrl.',
      ],
      registryUrl: 'https://registry.hokus.ai',
      authUrl: 'https://auth.hokus.ai',
    },
  },
};
