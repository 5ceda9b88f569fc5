import { sql, type Transaction } from 'kysely';
import type { Entity } from '../../config/types.js';
import { DatabaseError } from '../../errors.js';
import type { AnyDb } from '../driver/connect.js';
import type { MirrorTable } from '../entity-tables.js';

type Trx = Transaction<any>;
export type RowImage = Record<string, unknown>;

/**
 * Serialises writers of one external ID until the transaction ends, even where
 * the mapping lost its unique index: a second writer waits here, and its next
 * statement sees the first one's committed row. (A separate statement: a
 * READ COMMITTED statement sees only what was committed before it started.)
 */
export async function lockKey(trx: Trx, mirror: MirrorTable, key: string): Promise<void> {
  const [name, value] = [mirror.name, key];
  await sql`select pg_advisory_xact_lock(hashtext(${name}), hashtext(${value}))`.execute(trx);
}

/** Every mirror row with this external ID, locked until the transaction ends. */
export async function lockRowsForKey(
  trx: Trx,
  mirror: MirrorTable,
  key: string,
): Promise<{ id: number; sfid: string | null }[]> {
  const { rows } = await sql<{ id: number; sfid: string | null }>`
    select m.id, m.sfid from ${mirror.table} as m
     where ${mirror.key} = ${key} order by m.id for update`.execute(trx);
  return rows;
}

/** A client-session insert: Connect's triggers make it PENDING and log it for Salesforce. */
export async function insertRow(
  trx: Trx,
  mirror: MirrorTable,
  values: Record<string, unknown>,
): Promise<RowImage> {
  const columns = Object.keys(values);
  const { rows } = await sql<{ image: RowImage }>`
    insert into ${mirror.table} as m (${sql.join(columns.map((c) => sql.id(c)))})
    values (${sql.join(columns.map((c) => values[c]))})
    returning to_jsonb(m.*) as image`.execute(trx);
  if (!rows[0]) throw rowsSkipped(mirror.entity, 0, 1);
  return rows[0].image;
}

/**
 * An insert wrote fewer rows than it was given: a trigger on the mirror table
 * skips rows (a BEFORE INSERT trigger that returns NULL). sfsync cannot tell
 * which row went where then, so the run stops; the batch rolls back.
 */
export function rowsSkipped(entity: Entity, written: number, sent: number): DatabaseError {
  return new DatabaseError(
    `the mirror table ${entity.mirror.table} inserted ${written} of ${sent} rows ` +
      '(does a trigger on it skip rows?): the batch was rolled back and the run stopped',
    { database: 'mirror' },
  );
}

/**
 * Deletes a row only if it still has no sfid (and, for a reinsert, is still
 * FAILED): the condition is re-checked at write time, so a row Connect synced
 * since the audit is left alone. Returns the deleted row, or undefined.
 */
export async function deleteUnsyncedRow(
  trx: Trx,
  mirror: MirrorTable,
  id: number,
  requireFailed: boolean,
): Promise<RowImage | undefined> {
  const failed = requireFailed ? sql` and m._hc_lastop = 'FAILED'` : sql``;
  const { rows } = await sql<{ image: RowImage }>`
    delete from ${mirror.table} as m where m.id = ${id} and m.sfid is null${failed}
    returning to_jsonb(m.*) as image`.execute(trx);
  return rows[0]?.image;
}

/**
 * Updates mapped columns of a synced row; returns its images before and after, or undefined if it
 * lost its sfid.
 */
export async function updateSyncedRow(
  trx: Trx,
  mirror: MirrorTable,
  id: number,
  values: Record<string, unknown>,
): Promise<{ before: RowImage; after: RowImage } | undefined> {
  const before = await sql<{ image: RowImage }>`
    select to_jsonb(m.*) as image from ${mirror.table} as m
     where m.id = ${id} and m.sfid is not null
       for update`.execute(trx);
  if (!before.rows[0]) return undefined;
  const assignments = Object.entries(values).map(
    ([column, value]) => sql`${sql.id(column)} = ${value}`,
  );
  const after = await sql<{ image: RowImage }>`
    update ${mirror.table} as m set ${sql.join(assignments)}
     where m.id = ${id} and m.sfid is not null
    returning to_jsonb(m.*) as image`.execute(trx);
  return { before: before.rows[0].image, after: after.rows[0]!.image };
}

/**
 * Connect's documented re-capture for Ordered Writes: queue a FAILED insert
 * again without touching the row. Returns the row and the new trigger-log id.
 */
export async function recaptureRow(
  trx: Trx,
  mirror: MirrorTable,
  id: number,
): Promise<{ image: RowImage; logId: number } | undefined> {
  const { rows } = await sql<{ image: RowImage; log_id: number }>`
    select to_jsonb(m.*) as image,
           ${sql.id(mirror.schema)}.hc_capture_insert_from_row(
             hstore(m.*), ${mirror.name}::varchar, array[]::text[]
           ) as log_id
      from ${mirror.table} as m
     where m.id = ${id} and m.sfid is null and m._hc_lastop = 'FAILED'
       for update`.execute(trx);
  return rows[0] ? { image: rows[0].image, logId: rows[0].log_id } : undefined;
}

/**
 * The rows this run inserted into the entity's mirror table (by the journal,
 * so nothing is kept in memory however many), and how many of them Connect
 * has settled: given an sfid, or FAILED. For --wait.
 */
export async function countSettled(
  db: Trx | AnyDb,
  { entity, table }: MirrorTable,
  runId: string,
): Promise<{ written: number; settled: number; synced: number; failed: number }> {
  const { rows } = await sql<{ written: number; synced: number; failed: number }>`
    select count(*)::int as written,
           count(*) filter (where m.sfid is not null)::int as synced,
           count(*) filter (where m.sfid is null and m._hc_lastop = 'FAILED')::int as failed
      from sfsync.journal as j left join ${table} as m on m.id = j.mirror_id
     where j.run_id = ${runId} and j.entity = ${entity.name} and j.action = 'insert'`.execute(db);
  const { written = 0, synced = 0, failed = 0 } = rows[0] ?? {};
  return { written, settled: synced + failed, synced, failed };
}
