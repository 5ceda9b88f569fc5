import type { Transaction } from 'kysely';
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
  done,
  failedRowChanged,
  type FoundSource,
  unwritableSource,
} from '../../core/repair/outcome.js';
import { decideInsert, type InsertAction } from '../../core/repair/write-rule.js';
import type { ApplyContext } from './apply-actions.js';
import type { EntityTables } from '../../db/entity-tables.js';

/**
 * A batch's inserts and re-inserts in a few statements instead of several per
 * row, by the rule applyOne follows (core/repair/write-rule.ts), in its order:
 * lock the keys, lock their mirror rows, decide each key whose source row is
 * writable, delete the FAILED rows that are still sfid-NULL and FAILED,
 * insert, and journal every change.
 * The caller runs it under a savepoint and, when a row's values fail it, rolls
 * it back and goes row by row, so that only that row fails.
 */
export async function applyInBulk(
  trx: Transaction<any>,
  { source: { entity }, mirror }: EntityTables,
  actions: readonly InsertAction[],
  source: Promise<ReadonlyMap<string, FoundSource>>,
  ctx: ApplyContext,
): Promise<Map<PlannedAction, ActionOutcome>> {
  // Every key is locked while the batch's source rows are still being read (a key whose source
  // row turns out gone is held to the commit for nothing).
  const keys = actions.map((a) => a.key);
  await lockKeys(trx, mirror, keys);
  const existing = await lockRowsForKeys(trx, mirror, keys);
  const sourceRows = await source;
  const outcomes = new Map<PlannedAction, ActionOutcome>();
  const writable: { action: InsertAction; row: SourceRow }[] = [];
  for (const action of actions) {
    const found = sourceRows.get(action.key);
    const unwritable = unwritableSource(found);
    if (unwritable) outcomes.set(action, unwritable);
    else writable.push({ action, row: found as SourceRow });
  }

  const failedRows: { id: number; key: string }[] = [];
  const toInsert: { action: InsertAction; row: SourceRow; deleteFirst: number | null }[] = [];
  for (const w of writable) {
    const decision = decideInsert(w.action, existing.get(w.action.key) ?? []);
    if (!decision.write) {
      outcomes.set(w.action, decision.outcome);
      continue;
    }
    const { deleteFirst } = decision;
    if (deleteFirst !== null) failedRows.push({ id: deleteFirst, key: w.action.key });
    toInsert.push({ ...w, deleteFirst });
  }

  const by = { runId: ctx.runId, entity: entity.name, mirrorTable: mirror.name };
  const deleted = await deleteFailedRows(trx, mirror, failedRows, by);
  const inserts: { action: InsertAction; row: SourceRow }[] = [];
  for (const w of toInsert) {
    if (w.deleteFirst === null || deleted.has(w.deleteFirst)) inserts.push(w);
    else outcomes.set(w.action, failedRowChanged());
  }

  const mapped = entity.fields.map((f) => f.mirrorColumn);
  const rows = inserts.map(({ action, row }) => ({
    key: action.key,
    ...fitToColumns(mirrorValues(entity, row), ctx.columns, mapped),
  }));
  await insertRows(trx, mirror, rows, by, ctx.columns);
  for (const { action } of inserts) outcomes.set(action, done());
  return outcomes;
}
