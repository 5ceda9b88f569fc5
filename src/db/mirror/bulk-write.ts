import { sql, type Transaction } from 'kysely';
import { type ChangeJournal, journalDeleted, journalInserted } from '../sfsync/journal.js';
import type { MirrorTable } from '../entity-tables.js';
import { rowsSkipped } from './write-mirror.js';
import type { ColumnInfo } from '../../core/schema/catalog.js';
import pgUtils from 'pg/lib/utils.js';

type Trx = Transaction<any>;

/**
 * The many-row forms of write-mirror.ts's statements, for a batch of inserts
 * and re-inserts: the same locks, the same conditions re-checked at write
 * time, and each change journaled by the statement that makes it, so a batch
 * takes a few statements instead of several per row and row images never
 * leave the server.
 */

/** Rows one insert statement carries: its JSON document stays a few megabytes. */
const ROWS_PER_STATEMENT = 10_000;

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
 * insertRow for many rows, each journaled with its image and adjustments.
 * The rows travel as one JSON array, each row read into the mirror table's row
 * type by `jsonb_populate_record`: a value's text goes through its column's
 * input function, as the one-row insert's bind parameter does. One statement
 * of a few parameters costs less than a VALUES list of one parameter per value
 * (at 500 rows of five columns, that list took longer to send, parse and plan
 * than the rows took to write). A column a row does not set takes its default:
 * rows that set other columns go in a statement of their own, in the order
 * given. Returns the new rows' ids in that order.
 */
export async function insertRows(
  trx: Trx,
  mirror: MirrorTable,
  rows: readonly { key: string; values: Record<string, unknown>; adjusted: unknown }[],
  journal: ChangeJournal,
  columnTypes: ReadonlyMap<string, ColumnInfo>,
): Promise<number[]> {
  const ids: number[] = [];
  for (const run of statements(rows)) {
    const columns = Object.keys(run[0]!.values);
    const typeOf = (column: string) => columnTypes.get(column)?.type;
    // The record would keep a json or jsonb value as the JSON it is (a domain's check sees a
    // string): those columns are left out of it and their text parsed, as a bind parameter's is.
    const json = columns.filter((c) => JSON_TYPES.has(typeOf(c)));
    const document = JSON.stringify(run.map((row) => asParameterText(row.values, typeOf)));
    const change = sql`insert into ${mirror.table} as m (${sql.join(columns.map((c) => sql.id(c)))})
      select ${sql.join(columns.map((c) => readColumn(c, typeOf(c))))}
        from jsonb_array_elements(${document}::jsonb) as e (value),
             lateral jsonb_populate_record(null::${mirror.table}, e.value - ${json}::text[]) as r
      returning m.id, to_jsonb(m.*) as image`;
    const { rows: written } = await journalInserted(
      change,
      journal,
      run.map((r) => r.key),
      run.map((r) => r.adjusted),
    ).execute(trx);
    // Keys are journaled by position (RETURNING follows the rows read): a skipped row would shift
    // them.
    if (written.length !== run.length) throw rowsSkipped(mirror.entity, written.length, run.length);
    for (const row of written) ids.push(row.mirror_id);
  }
  return ids;
}

/** The rows in order, cut where the columns they set change and every ROWS_PER_STATEMENT rows. */
function statements<T extends { values: Record<string, unknown> }>(rows: readonly T[]): T[][] {
  const runs: T[][] = [];
  let previous = '';
  for (const row of rows) {
    // Stryker disable next-line MethodExpression: equivalent, the same columns listed in another
    // order only cost a statement more
    const columns = Object.keys(row.values).sort().join('\u0000');
    const last = runs.at(-1);
    if (last && columns === previous && last.length < ROWS_PER_STATEMENT) last.push(row);
    else runs.push([row]);
    previous = columns;
  }
  return runs;
}

const JSON_TYPES: ReadonlySet<string | undefined> = new Set(['json', 'jsonb']);

/** A column's value in the statement: from the row's record, or a json one parsed from its text. */
function readColumn(column: string, type: string | undefined) {
  if (type === 'json') return sql`(e.value ->> ${column})::json`;
  if (type === 'jsonb') return sql`(e.value ->> ${column})::jsonb`;
  return sql`r.${sql.id(column)}`;
}

/**
 * A row's values as the text their bind parameters would carry (node-postgres's own conversion).
 * A Buffer, which node-postgres sends as binary, becomes what the column's type reads from it.
 */
function asParameterText(
  values: Record<string, unknown>,
  typeOf: (column: string) => string | undefined,
): Record<string, string | null> {
  const out: Record<string, string | null> = {};
  for (const [column, value] of Object.entries(values)) {
    const text = pgUtils.prepareValue(value);
    if (!Buffer.isBuffer(text)) out[column] = text;
    else out[column] = typeOf(column) === 'bytea' ? `\\x${text.toString('hex')}` : text.toString();
  }
  return out;
}
