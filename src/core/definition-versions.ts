/**
 * Retiring definition versions: which version a new saga starts on, and what counts
 * against deleting one.
 *
 * A version is never changed, but it can be retired in two steps: *deprecated* (new
 * sagas that do not name a version go to the latest version that is not deprecated;
 * a start that names it is refused with DEFINITION_VERSION_DEPRECATED, so an initiator
 * pinned to an old version finds out instead of silently running it) and *deleted*
 * (only once no saga on it is left that has not ended; the sagas that ended on it keep
 * their history, so the stored version stays readable for them, but it is gone from
 * lists and starts). Running instances always continue on their version.
 */
import { DefinitionVersionDeprecatedError, DefinitionVersionInUseError } from './errors';
import { isTerminalSagaStatus, type SagaStatus } from './saga-status';

export interface VersionRetirement {
  version: number;
  deprecated: boolean;
  deleted: boolean;
}

/**
 * The version a new saga starts on: `requested` if given (null when it does not exist or
 * was deleted: not found), else the latest neither deprecated nor deleted (null: none).
 * Throws DefinitionVersionDeprecatedError for a requested deprecated version.
 */
export function startVersion(name: string, versions: readonly VersionRetirement[], requested?: number): number | null {
  const live = versions.filter((v) => !v.deleted);
  const latest = live.filter((v) => !v.deprecated).reduce<number | null>((max, v) => (max === null || v.version > max ? v.version : max), null);
  if (requested === undefined) return latest;
  const found = live.find((v) => v.version === requested);
  if (!found) return null;
  if (found.deprecated) throw new DefinitionVersionDeprecatedError(name, requested, latest);
  return requested;
}

/** Which count a saga's status falls in, per version: not ended (running), waiting for an operator (failed), ended (finished). */
export function versionUsageBucket(status: SagaStatus | string): 'running' | 'failed' | 'finished' {
  if (status === 'FAILED') return 'failed';
  return isTerminalSagaStatus(status as SagaStatus) ? 'finished' : 'running';
}

/** Throws DefinitionVersionInUseError unless every saga on the version has ended. */
export function assertDeletable(name: string, version: number, usage: { running: number; failed: number }): void {
  const notEnded = usage.running + usage.failed;
  if (notEnded > 0) throw new DefinitionVersionInUseError(name, version, notEnded);
}
