// How the check names and tags what it creates in MLflow, so that cleanup and `sweep` touch only their own.
import { randomBytes } from 'node:crypto';

/** The shared experiment: reused by every check, never deleted. */
export const CHECK_EXPERIMENT = 'hokus-check';

/**
 * Where the shared experiment may live, in the order the run step tries them: `hokus-check`, then,
 * when it is deleted and MLflow (or a proxy) refuses to restore it, `hokus-check-2` … `-5`. Every
 * check walks the same list, so all of them settle on the same experiment.
 */
export const CHECK_EXPERIMENTS: readonly string[] = [CHECK_EXPERIMENT, ...[2, 3, 4, 5].map((n) => `${CHECK_EXPERIMENT}-${n}`)];
export const NAME_PREFIX = 'hokus-check-';
export const CHECK_TAG = 'hokus-check.id';
export const CREATED_TAG = 'hokus-check.created';

/** 12 hex chars: short enough for names, random enough that concurrent checks never collide. */
export function newCheckId(): string {
  return randomBytes(6).toString('hex');
}

export function resourceName(checkId: string): string {
  return `${NAME_PREFIX}${checkId}`;
}

/** Directory (under the run's artifacts) that holds everything the check uploads. */
export const ARTIFACT_DIR = 'hokus-check';

/** A value the check could have made with newCheckId(): sweep touches nothing tagged otherwise. */
export function isCheckId(value: string | undefined): value is string {
  return value !== undefined && /^[0-9a-f]{12}$/.test(value);
}

/** The object carries this check's tag: the one proof cleanup accepts before it deletes anything. */
export function carriesCheckTag(tags: ReadonlyArray<{ key: string; value?: string | undefined }> | undefined, checkId: string): boolean {
  return (tags ?? []).some((t) => t.key === CHECK_TAG && t.value === checkId);
}
