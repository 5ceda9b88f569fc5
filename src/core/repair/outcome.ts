import type { SourceRow } from '../audit/types.js';
import type { ActionStatus } from './plan.js';

export interface ActionOutcome {
  readonly status: ActionStatus;
  /**
   * In words, what happened to the row when it was not simply done: PostgreSQL's message for
   * `failed`, why for `skipped`.
   */
  readonly detail: string | null;
}

export const done = (): ActionOutcome => ({ status: 'done', detail: null });
export const skipped = (why: string): ActionOutcome => ({ status: 'skipped', detail: why });

/**
 * A source row as re-read at write time: the row, how many rows claim its key when more than one,
 * or undefined when it is gone.
 */
export type FoundSource = SourceRow | number | undefined;

/**
 * Why a row that needs its source row cannot be written, or null when it can.
 * Which of several source rows is right is the app's call, not ours.
 */
export function unwritableSource(found: FoundSource): ActionOutcome | null {
  if (typeof found === 'number')
    return skipped(`${found} source rows now have this key (source_duplicate): not written`);
  if (!found) return skipped('the source row is gone or no longer passes source.where');
  return null;
}

export const appearedSinceAudit = (id: number) =>
  skipped(`a mirror row with this key appeared since the audit (id ${id})`);
export const alreadySynced = (id: number) =>
  skipped(`mirror row ${id} with this key already has an sfid: nothing to re-insert`);
export const failedRowChanged = () =>
  skipped('the FAILED row changed since the audit (synced, rewritten or gone): left alone');
