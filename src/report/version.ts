// The report's schema version, alone: the report is built on every check's path, the schema it
// follows (schema.ts, a zod model) only when asked for (`hokus-check schema`, the tests).
export const SCHEMA_VERSION = 1;
