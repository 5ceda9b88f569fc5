import type { Transaction } from 'kysely';
import type { WritableEntity } from '../../config/types.js';
import type { SourceRow } from '../../core/audit/types.js';
import { fitToColumns } from '../../core/values/fit-values.js';
import { mirrorValues } from '../../core/values/mirror-values.js';
import type { PlannedAction } from '../../core/repair/plan.js';
import {
  deleteFailedRows,
  insertRows,
  lockKeys,
  lockRowsForKeys,
} from '../../db/mirror/bulk-write.js';
import {
  type ActionOutcome,
  alreadySynced,
  appearedSinceAudit,
  done,
  failedRowChanged,
  type FoundSource,
  unwritableSource,
} from './action-outcome.js';
import type { ApplyContext } from './apply-actions.js';

/** The actions applyInBulk takes; the rest of a batch goes row by row. */
export const BULK_ACTIONS: ReadonlySet<PlannedAction['action']> = new Set(['insert', 'reinsert']);

/**
 * A batch's inserts and re-inserts in a few statements instead of several per
 * row, with applyOne's checks in applyOne's order: lock the keys, lock their
 * mirror rows, skip a key whose row appeared (insert) or gained an sfid
 * (reinsert), delete the FAILED rows that are still sfid-NULL and FAILED,
 * insert, and journal every change. The caller runs it under a savepoint and,
 * when a row's values fail it, rolls it back and goes row by row, so that
 * only that row fails.
 */
export async function applyInBulk(
  trx: Transaction<any>,
  entity: WritableEntity,
  actions: readonly PlannedAction[],
  sourceRows: ReadonlyMap<string, FoundSource>,
  ctx: ApplyContext,
): Promise<Map<PlannedAction, ActionOutcome>> {
  const outcomes = new Map<PlannedAction, ActionOutcome>();
  const writable: { action: PlannedAction; row: SourceRow }[] = [];
  for (const action of actions) {
    const found = sourceRows.get(action.key);
    const unwritable = unwritableSource(found);
    if (unwritable) outcomes.set(action, unwritable);
    else writable.push({ action, row: found as SourceRow });
  }
  // Spares the round trips; every step below does nothing for no rows.
  // Stryker disable next-line ConditionalExpression: equivalent, see above
  if (writable.length === 0) return outcomes;

  const schema = ctx.mirror.schema;
  const keys = writable.map((w) => w.action.key);
  await lockKeys(trx, entity, keys);
  const existing = await lockRowsForKeys(trx, schema, entity, keys);
  const toDelete: PlannedAction[] = [];
  const toInsert: { action: PlannedAction; row: SourceRow }[] = [];
  for (const w of writable) {
    const rows = existing.get(w.action.key) ?? [];
    const synced = rows.find((r) => r.sfid !== null);
    if (w.action.action === 'insert' && rows.length > 0)
      outcomes.set(w.action, appearedSinceAudit(rows[0]!.id));
    else if (
      // An insert with any row, synced or not, was taken by the line above.
      // Stryker disable next-line ConditionalExpression: equivalent, see above
      w.action.action === 'reinsert' &&
      synced
    )
      outcomes.set(w.action, alreadySynced(synced.id));
    else {
      // An insert has no mirror row: deleting by its (null) id would delete nothing.
      // Stryker disable next-line ConditionalExpression: equivalent, see above
      if (w.action.action === 'reinsert') toDelete.push(w.action);
      toInsert.push(w);
    }
  }

  const by = { runId: ctx.runId, entity: entity.name, mirrorTable: entity.mirror.table };
  const failedRows = toDelete.map((a) => ({ id: a.mirrorId!, key: a.key }));
  const deleted = await deleteFailedRows(trx, schema, entity, failedRows, by);
  const inserts: { action: PlannedAction; row: SourceRow }[] = [];
  for (const w of toInsert) {
    if (w.action.action === 'insert' || deleted.has(w.action.mirrorId!)) inserts.push(w);
    else outcomes.set(w.action, failedRowChanged());
  }

  const mapped = entity.fields.map((f) => f.mirrorColumn);
  const rows = inserts.map(({ action, row }) => ({
    key: action.key,
    ...fitToColumns(mirrorValues(entity, row), ctx.columns, mapped),
  }));
  await insertRows(trx, schema, entity, rows, by);
  for (const { action } of inserts) outcomes.set(action, done());
  return outcomes;
}
