import { sql, type Transaction } from 'kysely';
import { newestLogEntries } from './read-mirror.js';
import type { MirrorTable } from '../entity-tables.js';

export interface MirrorCount {
  /** Rows with an external ID. */
  readonly rows: number;
  /** Of those, rows without an sfid. */
  readonly unsynced: number;
  /** The newest trigger-log entry of the longest-waiting unsynced row (ms since 1970), or null. */
  readonly oldestUnsyncedAt: number | null;
}

/**
 * Counts an entity's mirror rows in the database, for entities with nothing to compare (read-only
 * mappings).
 */
export async function countMirrorRows(
  db: Transaction<any>,
  mirror: MirrorTable,
  hasTriggerLog: boolean,
): Promise<MirrorCount> {
  const { table, key: ext } = mirror;
  const { rows } = await sql<{ rows: string; unsynced: string }>`
    select count(*)::int8 as rows, count(*) filter (where m.sfid is null)::int8 as unsynced
      from ${table} as m where ${ext} is not null`.execute(db);
  let oldestUnsyncedAt: number | null = null;
  if (hasTriggerLog && Number(rows[0]!.unsynced) > 0) {
    const unsynced = sql`l.record_id in
      (select m.id from ${table} as m where m.sfid is null and ${ext} is not null)`;
    const oldest = await sql<{ at: Date | null }>`
      select min(newest.created_at) as at
        from (${newestLogEntries(mirror, unsynced)}) as newest`.execute(db);
    oldestUnsyncedAt = oldest.rows[0]?.at?.getTime() ?? null;
  }
  return { rows: Number(rows[0]!.rows), unsynced: Number(rows[0]!.unsynced), oldestUnsyncedAt };
}
