import { sql, type Transaction } from 'kysely';
import { type ChangeJournal, journalDeleted, journalInserted } from '../sfsync/journal.js';
import type { MirrorTable } from '../entity-tables.js';
import { rowsSkipped } from './write-mirror.js';

type Trx = Transaction<any>;

/**
 * The many-row forms of write-mirror.ts's statements, for a batch of inserts
 * and re-inserts: the same locks, the same conditions re-checked at write
 * time, and each change journaled by the statement that makes it, so a batch
 * takes a few statements instead of several per row and row images never
 * leave the server.
 */

/** Bind parameters one statement may carry (PostgreSQL's limit is 65,535), with room to spare. */
const MAX_PARAMETERS = 30_000;

/**
 * lockKey for many keys in one statement. Sorted, so that two writers locking
 * overlapping batches take the locks in the same order and cannot deadlock.
 */
export async function lockKeys(
  trx: Trx,
  mirror: MirrorTable,
  keys: readonly string[],
): Promise<void> {
  const sorted = [...new Set(keys)].sort();
  await sql`select count(pg_advisory_xact_lock(hashtext(${mirror.name}), hashtext(k)))
              from unnest(${sorted}::text[]) as k`.execute(trx);
}

export interface KeyedRow {
  readonly id: number;
  readonly sfid: string | null;
}

/**
 * Every mirror row with one of these external IDs (compared as text, as the audit does), locked
 * until the transaction ends, by key.
 */
export async function lockRowsForKeys(
  trx: Trx,
  { table, key: ext }: MirrorTable,
  keys: readonly string[],
): Promise<Map<string, KeyedRow[]>> {
  const { rows } = await sql<{ key: string; id: number; sfid: string | null }>`
    select ${ext}::text as key, m.id, m.sfid from ${table} as m
     where ${ext}::text = any(${[...keys]}::text[]) order by m.id for update`.execute(trx);
  const byKey = new Map<string, KeyedRow[]>();
  for (const { key, id, sfid } of rows) {
    const list = byKey.get(key);
    if (list) list.push({ id, sfid });
    else byKey.set(key, [{ id, sfid }]);
  }
  return byKey;
}

/**
 * deleteUnsyncedRow (requireFailed) for many rows: deletes those still
 * sfid-NULL and FAILED, journals each with its image, and returns their ids.
 */
export async function deleteFailedRows(
  trx: Trx,
  mirror: MirrorTable,
  rows: readonly { id: number; key: string }[],
  journal: ChangeJournal,
): Promise<Set<number>> {
  // Stryker disable next-line ConditionalExpression: equivalent, a delete of no ids deletes none
  if (rows.length === 0) return new Set();
  const ids = rows.map((r) => r.id);
  const change = sql`delete from ${mirror.table} as m
     where m.id = any(${ids}::int[]) and m.sfid is null and m._hc_lastop = 'FAILED'
    returning m.id, to_jsonb(m.*) as image`;
  const { rows: deleted } = await journalDeleted(
    change,
    journal,
    ids,
    rows.map((r) => r.key),
  ).execute(trx);
  return new Set(deleted.map((r) => r.mirror_id));
}

/**
 * insertRow for many rows, as multi-row VALUES (each value a bind parameter
 * typed by its column, exactly as in the one-row insert; a column a row does
 * not set takes its default), each row journaled with its image and
 * adjustments. Returns the new rows' ids in the order given.
 */
export async function insertRows(
  trx: Trx,
  mirror: MirrorTable,
  rows: readonly { key: string; values: Record<string, unknown>; adjusted: unknown }[],
  journal: ChangeJournal,
): Promise<number[]> {
  const columns = [...new Set(rows.flatMap((r) => Object.keys(r.values)))];
  const perStatement = Math.max(1, Math.floor(MAX_PARAMETERS / Math.max(1, columns.length)));
  const ids: number[] = [];
  for (let start = 0; start < rows.length; start += perStatement) {
    const chunk = rows.slice(start, start + perStatement);
    // Plain values in sql.join are bind parameters: a RawBuilder per row, not per value, keeps
    // compiling cheap.
    const valueFor = (row: (typeof rows)[number], column: string) =>
      Object.hasOwn(row.values, column) ? row.values[column] : DEFAULT;
    const tuples = chunk.map((row) => sql`(${sql.join(columns.map((c) => valueFor(row, c)))})`);
    const names = sql.join(columns.map((c) => sql.id(c)));
    const change = sql`insert into ${mirror.table} as m (${names})
      values ${sql.join(tuples)}
      returning m.id, to_jsonb(m.*) as image`;
    const { rows: written } = await journalInserted(
      change,
      journal,
      chunk.map((r) => r.key),
      chunk.map((r) => r.adjusted),
    ).execute(trx);
    // Keys are journaled by position (RETURNING follows VALUES): a skipped row would shift them.
    if (written.length !== chunk.length)
      throw rowsSkipped(mirror.entity, written.length, chunk.length);
    for (const row of written) ids.push(row.mirror_id);
  }
  return ids;
}

const DEFAULT = sql`default`;
