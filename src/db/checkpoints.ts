import { sql, type Transaction } from 'kysely';
import type { AnyDb } from './connect.js';
import { journalExists } from './journal.js';

/**
 * Backfill checkpoints in sfsync.checkpoints: one row per entity, advanced
 * inside each batch's transaction (so it never claims rows that rolled back)
 * and marked done once every row of the entity was written.
 */
export async function forgetCheckpoints(db: AnyDb): Promise<void> {
  if (await journalExists(db)) await sql`delete from sfsync.checkpoints`.execute(db);
}

/** Entities an earlier backfill finished. */
export async function finishedEntities(db: AnyDb): Promise<Set<string>> {
  if (!(await journalExists(db))) return new Set();
  const { rows } = await sql<{ entity: string }>`select entity from sfsync.checkpoints where done`.execute(db);
  return new Set(rows.map((r) => r.entity));
}

export async function advanceCheckpoint(trx: Transaction<any>, entity: string, lastKey: string, runId: string): Promise<void> {
  await sql`insert into sfsync.checkpoints (entity, last_key, done, run_id, updated_at)
            values (${entity}, ${lastKey}, false, ${runId}, clock_timestamp())
            on conflict (entity) do update set last_key = excluded.last_key, done = false, run_id = excluded.run_id, updated_at = excluded.updated_at`.execute(
    trx,
  );
}

export async function markFinished(db: AnyDb, runId: string, entities: readonly string[]): Promise<void> {
  for (const entity of entities) {
    await sql`insert into sfsync.checkpoints (entity, done, run_id, updated_at) values (${entity}, true, ${runId}, clock_timestamp())
              on conflict (entity) do update set done = true, run_id = excluded.run_id, updated_at = excluded.updated_at`.execute(db);
  }
}
