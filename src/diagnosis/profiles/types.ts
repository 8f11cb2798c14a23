// The shape of a component profile: everything hokus-check knows of one product in one place — how a
// finding names it, the headers that show an answer passed through it, the pages it writes itself
// (each with the situation it means), and the fix of each situation in its own terms. Profiles only
// name: who wrote an answer and which situation it shows are decided from HTTP and the check's own
// evidence (fingerprint.ts, hop-situation.ts), never from a profile.
import type { Situation } from '../situations.js';

/** A header that proves an answer passed through the component (the upstream may still have written it). */
export interface HeaderMark {
  header: string;
  value: RegExp;
  /** Where this comes from: "captured …" (test/fixtures/proxies) or "documented: …" (the product's docs or source). */
  source: string;
}

/** A body (with optional status and header) that the component writes itself. */
export interface PageMark {
  /** Statuses it is seen with (undefined: any). */
  status?: readonly number[];
  body: RegExp;
  /** Also required: a header whose value matches. */
  header?: { name: string; value: RegExp };
  /** What the page says happened, when it says more than the status (words only; never decides a code). */
  situation?: Situation;
  source: string;
}

export interface Profile<Id extends string = string> {
  id: Id;
  /** How a finding names it: 'nginx', 'the AWS load balancer'. */
  words: string;
  /** A proxy or gateway answers for others; a service writes its own answers. */
  role: 'proxy' | 'service';
  headers?: readonly HeaderMark[];
  pages?: readonly PageMark[];
  /** The fix of a situation in the component's own terms; the generic fix (situations.ts) otherwise. */
  fixes?: Partial<Record<Situation, string>>;
}

export const CAPTURED = (what: string): string => `captured from ${what} in test/real-proxies (test/fixtures/proxies/)`;
