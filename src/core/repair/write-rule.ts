import type { PlannedAction } from './plan.js';
import { alreadySynced, appearedSinceAudit, type ActionOutcome } from './outcome.js';

/** A mirror row of the action's key, as the write locked it (`FOR UPDATE`) just now. */
export interface LockedRow {
  readonly id: number;
  readonly sfid: string | null;
}

/**
 * What an insert or a re-insert does once its key and the key's mirror rows are locked: either
 * nothing (the audit is out of date, and the outcome says how), or write, after deleting the
 * FAILED row a re-insert replaces. That delete re-checks at write time that the row is still
 * sfid-NULL and FAILED; when it finds nothing, the action ends as failedRowChanged and nothing is
 * inserted. Both executors (row by row, in bulk) follow this one rule.
 */
export type InsertDecision =
  | { readonly write: false; readonly outcome: ActionOutcome }
  | { readonly write: true; readonly deleteFirst: number | null };

/** An action that writes a new mirror row: an insert, or a re-insert of a FAILED one. */
export type InsertAction = PlannedAction & { readonly action: 'insert' | 'reinsert' };

export function isInsertAction(action: PlannedAction): action is InsertAction {
  return action.action === 'insert' || action.action === 'reinsert';
}

export function decideInsert(action: InsertAction, locked: readonly LockedRow[]): InsertDecision {
  if (action.action === 'insert') {
    // Any row, synced or not, means someone wrote this key since the audit: never a second one.
    const first = locked[0];
    return first ? { write: false, outcome: appearedSinceAudit(first.id) } : WRITE;
  }
  // A synced row of the key is the record itself: re-inserting would make a duplicate in
  // Salesforce.
  const synced = locked.find((row) => row.sfid !== null);
  if (synced) return { write: false, outcome: alreadySynced(synced.id) };
  return { write: true, deleteFirst: action.mirrorId! };
}

const WRITE: InsertDecision = { write: true, deleteFirst: null };
