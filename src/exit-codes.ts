// Exit codes: each means one thing, so a CI gate can branch on them (README "Exit codes").
export const EXIT = {
  /** Every step passed (warnings allowed). */
  ok: 0,
  /** A step failed: the deployment is broken. */
  failed: 1,
  /** Usage or config error. */
  usage: 2,
  /** Could not reach the target: only `error` outcomes, nothing failed. */
  unreachable: 3,
  /** hokus-check itself broke. */
  internal: 4,
  /** Interrupted (after cleanup). */
  interrupted: 130,
} as const;
