// The one-line answer to a fault name the embedded stack does not know, shared by `demo` and `sim`
// (they pass the stack's fault names: only they may import sim/, see ARCHITECTURE.md).
import { closest } from '../config/suggest.js';

/** `unknown fault "x"; did you mean "y"?` — or where the list is. */
export function unknownFault(unknown: readonly string[], known: readonly string[]): string {
  const hint = unknown.length === 1 ? closest(unknown[0] ?? '', known) : undefined;
  return `unknown fault ${unknown.map((x) => `"${x}"`).join(', ')}${hint ? `; did you mean "${hint}"?` : ''} (hokus-check sim --list-faults lists them)`;
}
