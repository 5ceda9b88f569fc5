import { sql, type RawBuilder, type Transaction } from 'kysely';
import type { Entity } from '../../config/types.js';
import type { MirrorRow, ParentReadiness, TriggerLogEntry } from '../../core/audit/types.js';
import { aliasedValuesReader, fieldAlias, KEY_ALIAS, parentAlias } from './row-aliases.js';
import type { MirrorTable } from '../entity-tables.js';

/**
 * An entity's mirror rows that carry an external ID, sorted by it (COLLATE "C",
 * as the source side). Rows with a NULL external ID are not ours to match.
 * `keys`: only rows with these external IDs, compared as text (any text is a
 * valid key there, and a varchar column's index still serves).
 */
export function mirrorRowsQuery(
  { entity, table, key: ext }: MirrorTable,
  keys?: readonly string[],
): RawBuilder<Record<string, unknown>> {
  const columns = [
    sql`m.id`,
    sql`m.sfid`,
    sql`m._hc_lastop as lastop`,
    sql`m._hc_err as hc_err`,
    sql`${ext}::text as ${sql.id(KEY_ALIAS)}`,
    ...entity.fields.map(
      (f) => sql`${sql.ref(`m.${f.mirrorColumn}`)} as ${sql.id(fieldAlias(f.mirrorColumn))}`,
    ),
    ...entity.parents.map(
      (p) => sql`${sql.ref(`m.${p.lookup}`)}::text as ${sql.id(parentAlias(p.lookup))}`,
    ),
  ];
  const only = keys ? sql` and ${ext}::text = any(${[...keys]}::text[])` : sql``;
  return sql`select ${sql.join(columns)} from ${table} as m
    where ${ext} is not null${only} order by ${ext}::text collate "C", m.id`;
}

/**
 * The newest `_trigger_log`/`_trigger_log_archive` entry of each of these
 * mirror rows (unsynced or FAILED ones: synced rows need none), by row id.
 */
export async function readTriggerLog(
  db: Transaction<any>,
  mirror: MirrorTable,
  ids: readonly number[],
): Promise<Map<number, TriggerLogEntry>> {
  if (ids.length === 0) return new Map();
  const { rows } = await newestLogEntries(
    mirror,
    sql`l.record_id = any(${[...ids]}::int[])`,
  ).execute(db);
  return new Map(
    rows.map((r) => [
      r.record_id,
      {
        id: r.id,
        createdAt: r.created_at,
        state: r.state,
        action: r.action,
        sfMessage: r.sf_message,
      },
    ]),
  );
}

/** Turns rows of mirrorRowsQuery into MirrorRows, with their trigger-log entry. */
export function mirrorRowMapper(
  entity: Entity,
  log: ReadonlyMap<number, TriggerLogEntry>,
): (row: Record<string, unknown>) => MirrorRow {
  const values = aliasedValuesReader(entity);
  return (row) => {
    const { fields, parents } = values(row);
    const id = Number(row.id);
    return {
      id,
      sfid: (row.sfid as string | null) ?? null,
      lastop: (row.lastop as string | null) ?? null,
      hcErr: (row.hc_err as string | null) ?? null,
      key: row[KEY_ALIAS] as string,
      fields,
      lookups: parents,
      log: log.get(id) ?? null,
    };
  };
}

/**
 * The readiness of these external IDs in an entity's mirror table: ready when
 * a row with it has an sfid, failed when one FAILED, else unsynced; a key
 * with no row is left out (absent).
 */
export async function readReadiness(
  db: Transaction<any>,
  { table, key: ext }: MirrorTable,
  keys: readonly string[],
): Promise<Map<string, ParentReadiness>> {
  if (keys.length === 0) return new Map();
  const { rows } = await sql<{ key: string; ready: boolean; failed: boolean }>`
    select ${ext}::text as key, bool_or(m.sfid is not null) as ready,
           bool_or(m._hc_lastop = 'FAILED') as failed
      from ${table} as m
     where ${ext}::text = any(${[...keys]}::text[])
     group by 1`.execute(db);
  return new Map(rows.map((r) => [r.key, r.ready ? 'ready' : r.failed ? 'failed' : 'unsynced']));
}

/**
 * When each of these external IDs' mirror rows without an sfid was last written: the newest
 * trigger-log entry among them (null when the log holds none). Keys with no such row are left out.
 */
export async function readUnsyncedSince(
  db: Transaction<any>,
  mirror: MirrorTable,
  keys: readonly string[],
): Promise<Map<string, Date | null>> {
  if (keys.length === 0) return new Map();
  const { table, key: ext } = mirror;
  const unsynced = sql`${ext}::text = any(${[...keys]}::text[]) and m.sfid is null`;
  const records = sql`l.record_id in (select m.id from ${table} as m where ${unsynced})`;
  const { rows } = await sql<{ key: string; at: Date | null }>`
    select ${ext}::text as key, max(e.created_at) as at
      from ${table} as m
      left join (${newestLogEntries(mirror, records)}) as e on e.record_id = m.id
     where ${unsynced}
     group by 1`.execute(db);
  return new Map(rows.map((r) => [r.key, r.at]));
}

export interface LogEntryRow {
  id: number;
  record_id: number;
  created_at: Date | null;
  state: string | null;
  action: string | null;
  sf_message: string | null;
}

/**
 * The newest `_trigger_log`/`_trigger_log_archive` entry of each of an entity's mirror rows that
 * `records` picks (a condition on `l.record_id`).
 */
export function newestLogEntries(
  { schema, name }: MirrorTable,
  records: RawBuilder<unknown>,
): RawBuilder<LogEntryRow> {
  const entries = (log: string) => sql`
    select l.id, l.record_id, l.created_at, l.state, l.action, l.sf_message
      from ${sql.table(`${schema}.${log}`)} as l
     where l.table_name = ${name} and ${records}`;
  return sql<LogEntryRow>`
    select distinct on (e.record_id) e.*
      from (${entries('_trigger_log')} union all ${entries('_trigger_log_archive')}) as e
     order by e.record_id, e.id desc`;
}
