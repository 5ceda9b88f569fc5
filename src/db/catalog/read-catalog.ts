import { sql } from 'kysely';
import type { ColumnInfo, SchemaCatalog, TableInfo } from '../../core/schema/catalog.js';
import { DatabaseError } from '../../errors.js';
import type { AnyDb } from '../driver/connect.js';

interface ColumnRow {
  table_name: string;
  column_name: string;
  data_type: string;
  max_length: number | null;
  scale: number | null;
}
interface NameRow {
  table_name: string;
  name: string;
}

/** Reads the tables, columns, unique indexes, triggers and functions of one schema. */
export async function readCatalog(db: AnyDb, schema: string): Promise<SchemaCatalog> {
  const version = await sql<{ server_version: string; role: string; tls: boolean | null }>`
    select current_setting('server_version') as server_version, current_user as role,
           (select ssl from pg_stat_ssl where pid = pg_backend_pid()) as tls`.execute(db);
  const exists = await sql<{ found: boolean }>`
    select exists (select 1 from pg_namespace where nspname = ${schema}) as found`.execute(db);

  // A domain column is described by its base type and the domain's modifiers (a domain over
  // varchar(80) is 80 long).
  const columns = await sql<ColumnRow>`
    select table_name, column_name, format_type(base, null) as data_type,
           case when base in ('varchar'::regtype, 'bpchar'::regtype) and typmod > 0
                then typmod - 4 end as max_length,
           case when base = 'numeric'::regtype and typmod > 0 then (typmod - 4) & 65535
                when base in ('int2'::regtype, 'int4'::regtype, 'int8'::regtype) then 0 end as scale
      from (select c.relname as table_name, a.attname as column_name, a.attnum,
                   case when t.typtype = 'd' then t.typbasetype else a.atttypid end as base,
                   case when t.typtype = 'd' then t.typtypmod else a.atttypmod end as typmod
              from pg_class c
              join pg_namespace n on n.oid = c.relnamespace
              join pg_attribute a on a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped
              join pg_type t on t.oid = a.atttypid
             where n.nspname = ${schema} and c.relkind in ('r', 'p', 'v', 'm', 'f')) as cols
     order by table_name, attnum`.execute(db);

  // Each valid, non-partial index by its leading column; `alone`: a unique index of that column
  // on its own.
  const indexes = await sql<NameRow & { alone: boolean }>`
    select c.relname as table_name, a.attname as name,
           i.indisunique and i.indnkeyatts = 1 and i.indexprs is null as alone
      from pg_index i
      join pg_class c on c.oid = i.indrelid
      join pg_namespace n on n.oid = c.relnamespace
      join pg_attribute a on a.attrelid = c.oid and a.attnum = i.indkey[0]
     where n.nspname = ${schema} and i.indisvalid and i.indpred is null`.execute(db);

  const triggers = await sql<NameRow>`
    select c.relname as table_name, t.tgname as name
      from pg_trigger t
      join pg_class c on c.oid = t.tgrelid
      join pg_namespace n on n.oid = c.relnamespace
     where n.nspname = ${schema} and not t.tgisinternal`.execute(db);

  const functions = await sql<{ name: string }>`
    select distinct p.proname as name
      from pg_proc p join pg_namespace n on n.oid = p.pronamespace
     where n.nspname in (${schema}, 'public')`.execute(db);
  const functionNames = new Set(functions.rows.map((row) => row.name));

  let xmlbinary: string | undefined;
  let xmlbinaryDenied = false;
  if (functionNames.has('get_xmlbinary')) {
    try {
      const result = await sql<{
        value: string;
      }>`select public.get_xmlbinary()::text as value`.execute(db);
      xmlbinary = result.rows[0]?.value;
    } catch (error) {
      // An audit needs no get_xmlbinary(); doctor and repair say what to grant.
      if (!(error instanceof DatabaseError && error.sqlstate === '42501')) throw error;
      xmlbinaryDenied = true;
    }
  }

  const tables = new Map<
    string,
    {
      columns: Map<string, ColumnInfo>;
      uniqueColumns: Set<string>;
      indexedColumns: Set<string>;
      triggers: Set<string>;
    }
  >();
  const tableFor = (name: string) => {
    const table = tables.get(name) ?? {
      columns: new Map(),
      uniqueColumns: new Set(),
      indexedColumns: new Set(),
      triggers: new Set(),
    };
    tables.set(name, table);
    return table;
  };
  for (const row of columns.rows)
    tableFor(row.table_name).columns.set(row.column_name, {
      type: row.data_type,
      maxLength: row.max_length,
      scale: row.scale,
    });
  for (const row of indexes.rows) {
    const table = tables.get(row.table_name);
    table?.indexedColumns.add(row.name);
    if (row.alone) table?.uniqueColumns.add(row.name);
  }
  for (const row of triggers.rows) tables.get(row.table_name)?.triggers.add(row.name);

  return {
    serverVersion: version.rows[0]?.server_version ?? 'unknown',
    schema,
    schemaExists: exists.rows[0]?.found ?? false,
    tables: tables as ReadonlyMap<string, TableInfo>,
    functions: functionNames,
    xmlbinary,
    xmlbinaryDenied,
    role: version.rows[0]?.role,
    tls: version.rows[0]?.tls ?? false,
  };
}
