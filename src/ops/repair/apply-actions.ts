import type { Transaction } from 'kysely';
import type { SourceRow } from '../../core/audit/types.js';
import type { ColumnInfo } from '../../core/schema/catalog.js';
import { fitToColumns } from '../../core/values/fit-values.js';
import { mirrorValues } from '../../core/values/mirror-values.js';
import type { PlannedAction } from '../../core/repair/plan.js';
import type { Connection } from '../../db/driver/connect.js';
import { serverMessage } from '../../db/driver/sqlstate.js';
import { journal } from '../../db/sfsync/journal.js';
import { sourceRowMapper, sourceRowsByKeyQuery } from '../../db/audit/source-query.js';
import { inSavepoint } from '../../db/driver/savepoint.js';
import { readOnlyTransaction, writeTransaction } from '../../db/driver/transactions.js';
import {
  deleteUnsyncedRow,
  insertRow,
  lockKey,
  lockRowsForKey,
  recaptureRow,
  updateSyncedRow,
} from '../../db/mirror/write-mirror.js';
import {
  type ActionOutcome,
  done,
  failedRowChanged,
  type FoundSource,
  skipped,
  unwritableSource,
} from '../../core/repair/outcome.js';
import { decideInsert, isInsertAction, type InsertAction } from '../../core/repair/write-rule.js';
import { applyInBulk } from './apply-in-bulk.js';
import type { RunGuard } from './run-guard.js';
import { appendAll } from '../../core/arrays.js';
import type { EntityTables, SourceTable } from '../../db/entity-tables.js';

export type { ActionOutcome } from '../../core/repair/outcome.js';

export interface ApplyContext {
  readonly runId: string;
  readonly source: Connection;
  readonly mirror: Connection;
  readonly batchSize: number;
  /** Stops the run between rows (interrupted, lock lost) and proves the lock before each commit. */
  readonly guard: RunGuard;
  /** The mirror table's columns, so written values fit them as the audit expects (cut, rounded). */
  readonly columns: ReadonlyMap<string, ColumnInfo>;
  /** The entity's tables, as the run built them once (ops/databases.ts). */
  readonly tables: EntityTables;
  /**
   * Called inside each batch's transaction, just before it commits, with the batch and how each
   * of its actions ended (backfill checkpoints, the attempts of re-sent rows).
   */
  readonly beforeCommit?:
    | ((trx: Transaction<any>, batch: CommittingBatch) => Promise<void>)
    | undefined;
}

/** A batch about to commit: its actions, and the outcome of each, in the same order. */
export interface CommittingBatch {
  readonly entity: string;
  readonly runId: string;
  readonly actions: readonly PlannedAction[];
  readonly outcomes: readonly ActionOutcome[];
}

/**
 * Carries out one entity's write actions in batches: each batch is a
 * transaction. Its inserts and re-inserts go together (applyInBulk), under a
 * savepoint; the other actions, and every row of a batch whose bulk write a
 * row's values failed, go one by one, each under a savepoint, so one bad row
 * is recorded and skipped while the rest of the batch commits. Every
 * destructive step re-checks its condition at write time, and journals the
 * row it changes in the same transaction. Anything that is not about one row
 * (a lost connection or lock, an interruption, a missing privilege) rolls the
 * whole batch back and stops.
 */
export async function applyActions(
  actions: readonly PlannedAction[],
  ctx: ApplyContext,
): Promise<ActionOutcome[]> {
  const { tables } = ctx;
  const outcomes: ActionOutcome[] = [];
  const batches: PlannedAction[][] = [];
  for (let start = 0; start < actions.length; start += ctx.batchSize)
    batches.push(actions.slice(start, start + ctx.batchSize));
  const sourceFor = (batch: readonly PlannedAction[]) => {
    const read = readSourceRows(
      tables.source,
      ctx.source,
      // Reading keys the batch's other actions do not need costs time, not a changed write.
      // Stryker disable next-line MethodExpression: equivalent, see above
      batch.filter((a) => NEEDS_SOURCE.has(a.action)).map((a) => a.key),
    );
    read.catch(() => undefined); // awaited in its batch, unless a batch fails first
    return read;
  };
  // One read of source rows at a time, each started as the one before ends: the source and the
  // mirror are different sessions, so a batch's rows are read while its keys are locked and the
  // next batch's while it writes.
  let read = sourceFor(batches[0] ?? []);
  for (const [i, batch] of batches.entries()) {
    const source = read;
    read = source.then(() => sourceFor(batches[i + 1] ?? []));
    read.catch(() => undefined);
    const results = await writeTransaction(ctx.mirror.db, async (trx) => {
      ctx.guard.check();
      const bulk = batch.filter(isInsertAction);
      // One write gains nothing from the bulk path, which writes what the row path writes.
      const inBulk =
        // Stryker disable next-line ConditionalExpression,EqualityOperator: equivalent, see above
        bulk.length > 1
          ? await inSavepoint(trx, () => applyInBulk(trx, tables, bulk, source, ctx))
          : undefined;
      const sourceRows = await source;
      const written = inBulk?.ok ? inBulk.value : new Map<PlannedAction, ActionOutcome>();
      const batchOutcomes: ActionOutcome[] = [];
      for (const action of batch) {
        const outcome = written.get(action);
        if (outcome) {
          batchOutcomes.push(outcome);
          continue;
        }
        ctx.guard.check();
        const result = await inSavepoint(trx, () =>
          applyOne(trx, tables, action, sourceRows.get(action.key), ctx),
        );
        batchOutcomes.push(
          result.ok ? result.value : { status: 'failed', detail: serverMessage(result.error) },
        );
      }
      await ctx.beforeCommit?.(trx, {
        entity: tables.source.entity.name,
        runId: ctx.runId,
        actions: batch,
        outcomes: batchOutcomes,
      });
      await ctx.guard.beforeCommit(trx);
      return batchOutcomes;
    });
    appendAll(outcomes, results);
  }
  return outcomes;
}

const NEEDS_SOURCE: ReadonlySet<PlannedAction['action']> = new Set([
  'insert',
  'reinsert',
  'update',
]);

/**
 * The source rows of these keys as they are now; a key that more than one row claims maps to how
 * many do.
 */
async function readSourceRows(
  table: SourceTable,
  source: Connection,
  keys: string[],
): Promise<Map<string, FoundSource>> {
  // Spares a round trip; a query for no keys would find no rows.
  // Stryker disable next-line ConditionalExpression: equivalent, see above
  if (keys.length === 0) return new Map();
  // READ ONLY, as the audit reads: a trusted SQL fragment in the source query cannot write now
  // either.
  const { rows } = await readOnlyTransaction(source.db, (trx) =>
    sourceRowsByKeyQuery(table, keys).execute(trx),
  );
  const toSourceRow = sourceRowMapper(table.entity);
  const byKey = new Map<string, FoundSource>();
  for (const raw of rows) {
    const row = toSourceRow(raw);
    if (!row) continue;
    const earlier = byKey.get(row.key);
    byKey.set(row.key, earlier === undefined ? row : typeof earlier === 'number' ? earlier + 1 : 2);
  }
  return byKey;
}

async function applyOne(
  trx: Transaction<any>,
  { source: { entity }, mirror }: EntityTables,
  action: PlannedAction,
  found: FoundSource,
  ctx: ApplyContext,
): Promise<ActionOutcome> {
  const unwritable = NEEDS_SOURCE.has(action.action) ? unwritableSource(found) : null;
  if (unwritable) return unwritable;
  const row = found as SourceRow;
  const record = (
    kind: string,
    mirrorId: number | null,
    before: unknown,
    after: unknown,
    adjusted: unknown = null,
  ) =>
    journal(trx, {
      runId: ctx.runId,
      entity: entity.name,
      mirrorTable: mirror.name,
      action: kind,
      key: action.key,
      mirrorId,
      before,
      after,
      adjusted,
    });
  const mapped = entity.fields.map((f) => f.mirrorColumn);
  const insert = async (source: SourceRow) => {
    const { values, adjusted } = fitToColumns(mirrorValues(entity, source), ctx.columns, mapped);
    const image = await insertRow(trx, mirror, values);
    await record('insert', Number(image.id), null, image, adjusted);
    return done();
  };

  const insertOrReinsert = async (insertAction: InsertAction) => {
    await lockKey(trx, mirror, action.key);
    const locked = await lockRowsForKey(trx, mirror, action.key);
    const decision = decideInsert(insertAction, locked);
    if (!decision.write) return decision.outcome;
    if (decision.deleteFirst !== null) {
      const deleted = await deleteUnsyncedRow(trx, mirror, decision.deleteFirst, true);
      if (!deleted) return failedRowChanged();
      await record('delete', decision.deleteFirst, deleted, null);
    }
    return insert(row);
  };

  if (isInsertAction(action)) return insertOrReinsert(action);
  switch (action.action) {
    case 'recapture': {
      const result = await recaptureRow(trx, mirror, action.mirrorId!);
      if (!result) return failedRowChanged();
      await record('recapture', action.mirrorId, result.image, { trigger_log_id: result.logId });
      return done();
    }
    case 'dedupe': {
      await lockRowsForKey(trx, mirror, action.key);
      let removed = 0;
      for (const id of action.deleteIds) {
        const deleted = await deleteUnsyncedRow(trx, mirror, id, false);
        if (!deleted) continue;
        await record('delete', id, deleted, null);
        removed++;
      }
      const kept = action.deleteIds.length - removed;
      return kept === 0
        ? done()
        : removed > 0
          ? {
              status: 'done',
              detail: `${kept} row(s) gained an sfid since the audit and were kept`,
            }
          : skipped('every extra row gained an sfid since the audit: nothing deleted');
    }
    case 'update': {
      const { values, adjusted } = fitToColumns(
        mirrorValues(entity, row, action.columns),
        ctx.columns,
        mapped,
      );
      const changed = await updateSyncedRow(trx, mirror, action.mirrorId!, values);
      if (!changed) return skipped('the row has no sfid any more: not updated');
      await record('update', action.mirrorId, changed.before, changed.after, adjusted);
      return done();
    }
    case 'insert':
    case 'reinsert':
    case 'defer':
    case 'skip':
      // Unreachable: inserts are taken above, and applyActions writes only the actions a plan
      // carries out. Says which, if not.
      // Stryker disable next-line StringLiteral: the text of an error no path reaches
      throw new Error(`applyOne called for ${action.action}`);
  }
}
