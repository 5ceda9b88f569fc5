import { sql, type RawBuilder, type Transaction } from 'kysely';
import type { SourceRow } from '../../core/audit/types.js';
import type { DatabaseError } from '../../errors.js';
import { mirrorRowsQuery } from '../audit/read-mirror.js';
import { sourceRowMapper, sourceRowsByKeyQuery } from '../audit/source-query.js';
import { inSavepoint } from '../driver/savepoint.js';
import type { MirrorTable, SourceTable } from '../entity-tables.js';

// One record's rows on each side, read by key through the audit's own queries, so `why` sees a
// row exactly as the audit does. Each is an index lookup: the source key column's index (a
// composite or SQL key needs an expression index on its text, as for the audit's reads by key),
// the mirror's unique index on the external ID (Connect's hcu_idx_*).

/** The source rows with this key: the entity's one source query, its `where` included. */
export function sourceRecordQuery(
  source: SourceTable,
  key: string,
): RawBuilder<Record<string, unknown>> {
  return sourceRowsByKeyQuery(source, [key]);
}

/**
 * The first source row with this key and how many carry it; null when none does, or the key
 * cannot be a value of the key column's type (`why school 1` for a uuid key).
 */
export async function readSourceRecord(
  trx: Transaction<any>,
  source: SourceTable,
  key: string,
): Promise<{ row: SourceRow; count: number } | null> {
  const read = await inSavepoint(trx, () => sourceRecordQuery(source, key).execute(trx));
  if (!read.ok) {
    if (!(await misfits(trx, source, key, read.error))) throw read.error;
    return null;
  }
  const toSourceRow = sourceRowMapper(source.entity);
  // A key column of a loosely matching type (citext) may bring rows of other keys.
  const rows = read.value.rows.map(toSourceRow).filter((row) => row?.key === key);
  return rows[0] ? { row: rows[0], count: rows.length } : null;
}

/**
 * Whether a failed read failed on the key itself (a data exception binding it to the column's
 * type) rather than on a row (a field's SQL): asked again with nothing but the key.
 */
async function misfits(
  trx: Transaction<any>,
  source: SourceTable,
  key: string,
  error: DatabaseError,
): Promise<boolean> {
  const column = source.entity.source.key;
  if (column.kind !== 'column' || !error.sqlstate?.startsWith('22')) return false;
  const probe = await inSavepoint(trx, () =>
    sql`select 1 from ${source.table} as src
         where ${sql.ref(`src.${column.column}`)} = any(${[key]}) limit 1`.execute(trx),
  );
  return !probe.ok;
}

/**
 * The mirror rows with this external ID, as the audit reads them, with `systemmodstamp` beside
 * them (`modstamp`: the table has that column), by id.
 */
export function mirrorRecordQuery(
  mirror: MirrorTable,
  key: string,
  modstamp: boolean,
): RawBuilder<Record<string, unknown>> {
  const rows = mirrorRowsQuery(mirror, [key]);
  if (!modstamp)
    return sql`select r.*, null::timestamp as systemmodstamp from (${rows}) as r order by r.id`;
  return sql`select r.*, s.systemmodstamp from (${rows}) as r
               join ${mirror.table} as s on s.id = r.id
              order by r.id`;
}

/** A parent's mirror rows with this external ID: the audit's query, its lookups included. */
export function parentRowsQuery(
  mirror: MirrorTable,
  key: string,
): RawBuilder<Record<string, unknown>> {
  return mirrorRowsQuery(mirror, [key]);
}
