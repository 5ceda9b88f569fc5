import { sql, type Transaction } from 'kysely';
import type { AnyDb } from '../driver/connect.js';
import { journalExists } from './journal.js';
import { sfsyncTables } from './tables.js';

/**
 * Backfill checkpoints in sfsync.checkpoints: one row per entity, advanced
 * inside each batch's transaction (so it never claims rows that rolled back)
 * and marked done once every row of the entity was written.
 */
export async function forgetCheckpoints(db: AnyDb): Promise<void> {
  if (await journalExists(db)) await sfsyncTables(db).deleteFrom('sfsync.checkpoints').execute();
}

/** Entities an earlier backfill finished. */
export async function finishedEntities(db: AnyDb): Promise<Set<string>> {
  if (!(await journalExists(db))) return new Set();
  const rows = await sfsyncTables(db)
    .selectFrom('sfsync.checkpoints')
    .select('entity')
    .where('done', '=', true)
    .execute();
  return new Set(rows.map((r) => r.entity));
}

export async function advanceCheckpoint(
  trx: Transaction<any>,
  entity: string,
  lastKey: string,
  runId: string,
): Promise<void> {
  await sfsyncTables(trx)
    .insertInto('sfsync.checkpoints')
    .values({
      entity,
      last_key: lastKey,
      done: false,
      run_id: runId,
      updated_at: sql<Date>`clock_timestamp()`,
    })
    .onConflict((oc) =>
      oc.column('entity').doUpdateSet((eb) => ({
        last_key: eb.ref('excluded.last_key'),
        done: false,
        run_id: eb.ref('excluded.run_id'),
        updated_at: eb.ref('excluded.updated_at'),
      })),
    )
    .execute();
}

export async function markFinished(
  db: AnyDb,
  runId: string,
  entities: readonly string[],
): Promise<void> {
  for (const entity of entities) {
    await sfsyncTables(db)
      .insertInto('sfsync.checkpoints')
      .values({ entity, done: true, run_id: runId, updated_at: sql<Date>`clock_timestamp()` })
      .onConflict((oc) =>
        oc.column('entity').doUpdateSet((eb) => ({
          done: true,
          run_id: eb.ref('excluded.run_id'),
          updated_at: eb.ref('excluded.updated_at'),
        })),
      )
      .execute();
  }
}
