import { sql } from 'kysely';
import type { SchemaStructure } from '../../core/schema/infer-config.js';
import { TRIGGER_LOG_TABLES } from '../../core/connect/heroku-connect.js';
import type { AnyDb } from '../driver/connect.js';

/**
 * What `sfsync init` needs beyond the catalog: each table's primary key,
 * nullable columns and single-column foreign keys (with the table they point at).
 */
export async function readStructure(db: AnyDb, schema: string): Promise<SchemaStructure> {
  const keys = await sql<{
    table_name: string;
    kind: string;
    columns: string[];
    ref_table: string | null;
    ref_columns: string[] | null;
  }>`
    select c.relname as table_name, k.contype as kind,
           array(select a.attname from unnest(k.conkey) with ordinality as u(attnum, n)
                   join pg_attribute a on a.attrelid = k.conrelid and a.attnum = u.attnum
                  order by u.n)::text[] as columns,
           r.relname as ref_table,
           case when k.confrelid <> 0 then
             array(select a.attname from unnest(k.confkey) with ordinality as u(attnum, n)
                     join pg_attribute a on a.attrelid = k.confrelid and a.attnum = u.attnum
                    order by u.n)::text[] end as ref_columns
      from pg_constraint k
      join pg_class c on c.oid = k.conrelid
      join pg_namespace n on n.oid = c.relnamespace
      left join pg_class r on r.oid = k.confrelid
     where n.nspname = ${schema} and k.contype in ('p', 'f')
     order by c.relname, k.conname`.execute(db);
  const nullable = await sql<{ table_name: string; column_name: string }>`
    select c.relname as table_name, a.attname as column_name
      from pg_attribute a
      join pg_class c on c.oid = a.attrelid
      join pg_namespace n on n.oid = c.relnamespace
     where n.nspname = ${schema} and c.relkind in ('r', 'p')
       and a.attnum > 0 and not a.attisdropped and not a.attnotnull`.execute(db);

  const primaryKeys = new Map<string, string[]>();
  const foreignKeys: { table: string; column: string; refTable: string; refColumn: string }[] = [];
  for (const row of keys.rows) {
    if (row.kind === 'p') primaryKeys.set(row.table_name, row.columns);
    else if (row.columns.length === 1 && row.ref_table && row.ref_columns?.length === 1) {
      foreignKeys.push({
        table: row.table_name,
        column: row.columns[0]!,
        refTable: row.ref_table,
        refColumn: row.ref_columns[0]!,
      });
    }
  }
  const nullableColumns = new Map<string, Set<string>>();
  for (const row of nullable.rows) {
    const set = nullableColumns.get(row.table_name) ?? new Set<string>();
    set.add(row.column_name);
    nullableColumns.set(row.table_name, set);
  }
  return { primaryKeys, foreignKeys, nullableColumns };
}

/**
 * Mirror tables Connect maps read-only, as far as the trigger log tells: a
 * client write to one is logged READONLY. A read-only mapping nobody ever
 * wrote to leaves no trace; init then relies on the export or the absence of a source table.
 */
export async function readOnlyMappings(
  db: AnyDb,
  schema: string,
  tables: ReadonlySet<string>,
): Promise<Set<string>> {
  const found = new Set<string>();
  for (const log of TRIGGER_LOG_TABLES) {
    if (!tables.has(log)) continue;
    const { rows } = await sql<{ table_name: string }>`
      select distinct table_name from ${sql.id(schema, log)} where state = 'READONLY'`.execute(db);
    for (const row of rows) found.add(row.table_name);
  }
  return found;
}

/**
 * Rows per table of a schema: the planner's estimate for tables it has
 * analysed (instant on any size), an exact count for the others.
 */
export async function readRowCounts(
  db: AnyDb,
  schema: string,
  tables: readonly string[],
): Promise<Map<string, number>> {
  const { rows } = await sql<{ table_name: string; estimate: number }>`
    select c.relname as table_name, c.reltuples::float8 as estimate
      from pg_class c join pg_namespace n on n.oid = c.relnamespace
     where n.nspname = ${schema} and c.relkind in ('r', 'p')
       and c.relname = any(${[...tables]}::text[])`.execute(db);
  const counts = new Map<string, number>();
  for (const row of rows) {
    if (row.estimate >= 0) {
      counts.set(row.table_name, Math.round(row.estimate));
      continue;
    }
    // Schema and name quoted apart: a table name may hold a dot (sql.table would split on it) or a
    // quote.
    const exact = await sql<{
      n: string;
    }>`select count(*) as n from ${sql.id(schema, row.table_name)}`.execute(db);
    counts.set(row.table_name, Number(exact.rows[0]!.n));
  }
  return counts;
}

/**
 * The planner's row count of one table, for progress (instant on any size); null when the table
 * was never analysed (a count would cost as much as the audit's own read).
 */
export async function readRowEstimate(
  db: AnyDb,
  table: { readonly schema: string; readonly name: string },
): Promise<number | null> {
  const { rows } = await sql<{ estimate: number }>`
    select c.reltuples::float8 as estimate
      from pg_class c join pg_namespace n on n.oid = c.relnamespace
     where n.nspname = ${table.schema} and c.relname = ${table.name}
       and c.relkind in ('r', 'p')`.execute(db);
  const estimate = rows[0]?.estimate;
  return estimate === undefined || estimate < 0 ? null : Math.round(estimate);
}
