// MLflow search filters are a small SQL-like language: a value goes in as a quoted string literal with
// its quotes and backslashes escaped, never pasted in, so a value cannot end the literal.

/** `value` as an MLflow filter string literal. */
export function filterString(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}
