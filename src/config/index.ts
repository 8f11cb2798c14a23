// Configuration: flags, HOKUS_CHECK_* env vars and hokus-check.config.json resolved into Settings.
export { UsageError } from './errors.js';
export { parseDuration } from './durations.js';
export { parseSize } from './sizes.js';
export { CONFIG_FILE_NAME, loadConfigFile, parseConfigText } from './load.js';
export { ConfigFileSchema, validateConfig, type ConfigFile } from './file-schema.js';
export { resolveSettings, NO_TARGET, type FlagValues, type Settings } from './resolve.js';
export { exampleConfig } from './example.js';
