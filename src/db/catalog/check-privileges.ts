import { sql } from 'kysely';
import { connectTriggerNames, TRIGGER_LOG_TABLES } from '../../core/connect/heroku-connect.js';
import {
  qualified,
  quoteIdent,
  type MissingGrant,
  type TablePrivilege,
  type WriteNeeds,
} from '../../core/repair/grants.js';
import type { AnyDb } from '../driver/connect.js';
import { JOURNAL_SCHEMA_VERSION, journalSchemaVersion } from '../sfsync/journal-schema.js';
import { appendAll } from '../../core/arrays.js';

/**
 * Every privilege a writing run will use that the session's role lacks, found
 * with PostgreSQL's has_*_privilege functions before anything is written:
 * the planned writes on each mirror table, its id sequence, what Connect's
 * triggers do on the role's behalf (get_xmlbinary(), the trigger log), and
 * sfsync's own schema (created, upgraded or written).
 */
export async function missingWritePrivileges(
  db: AnyDb,
  schema: string,
  needs: WriteNeeds,
  options: { backfill: boolean },
): Promise<MissingGrant[]> {
  const missing: MissingGrant[] = [];
  const lacks = async (
    check: ReturnType<typeof sql<boolean>>,
    privilege: string,
    object: string,
  ) => {
    const { rows } = await sql<{ ok: boolean | null }>`select ${check} as ok`.execute(db);
    if (rows[0]?.ok === false) missing.push({ privilege, object });
  };
  const name = (table: string) => sql`format('%I.%I', ${schema}::text, ${table}::text)`;

  await lacks(
    sql`has_schema_privilege(${schema}, 'USAGE')`,
    'USAGE',
    `SCHEMA ${quoteIdent(schema)}`,
  );
  let writesLog = false;
  for (const [table, privileges] of needs.tables) {
    for (const privilege of privileges)
      await lacks(
        sql`has_table_privilege(${name(table)}, ${privilege})`,
        privilege,
        `TABLE ${qualified(schema, table)}`,
      );
    if (needs.inserts.has(table))
      await sequenceUsage(db, sql`pg_get_serial_sequence(${name(table)}, 'id')`, missing);
    writesLog ||= await logsAsInvoker(db, schema, table);
  }
  if (needs.tables.size > 0) {
    await lacks(
      sql`case when to_regprocedure('public.get_xmlbinary()') is null then null
               else has_function_privilege('public.get_xmlbinary()', 'EXECUTE') end`,
      'EXECUTE',
      'FUNCTION public.get_xmlbinary()',
    );
  }
  if (needs.recapture) {
    const { rows } = await sql<{ signature: string; ok: boolean; definer: boolean }>`
      select p.oid::regprocedure::text as signature,
             has_function_privilege(p.oid, 'EXECUTE') as ok, p.prosecdef as definer
        from pg_proc p join pg_namespace n on n.oid = p.pronamespace
       where n.nspname = ${schema} and p.proname = 'hc_capture_insert_from_row'`.execute(db);
    for (const fn of rows) {
      if (!fn.ok) missing.push({ privilege: 'EXECUTE', object: `FUNCTION ${fn.signature}` });
      writesLog ||= !fn.definer;
    }
  }
  if (writesLog) {
    const log = TRIGGER_LOG_TABLES[0]!;
    await lacks(
      sql`has_table_privilege(${name(log)}, 'INSERT')`,
      'INSERT',
      `TABLE ${qualified(schema, log)}`,
    );
    await sequenceUsage(db, sql`pg_get_serial_sequence(${name(log)}, 'id')`, missing);
  }
  if (needs.tables.size > 0) appendAll(missing, await journalPrivileges(db, options.backfill));
  return missing;
}

/**
 * Connect's logger trigger on the table inserts into the trigger log as the writing role, unless it
 * is SECURITY DEFINER.
 */
async function logsAsInvoker(db: AnyDb, schema: string, table: string): Promise<boolean> {
  const { rows } = await sql<{ definer: boolean }>`
    select p.prosecdef as definer from pg_trigger t join pg_proc p on p.oid = t.tgfoid
     where t.tgrelid = to_regclass(format('%I.%I', ${schema}::text, ${table}::text))
       and t.tgname = ${connectTriggerNames(table).logger}`.execute(db);
  return rows.some((row) => !row.definer);
}

async function sequenceUsage(
  db: AnyDb,
  sequence: ReturnType<typeof sql>,
  missing: MissingGrant[],
): Promise<void> {
  const { rows } = await sql<{ name: string | null; ok: boolean | null }>`
    select s.name,
           case when s.name is null then null else has_sequence_privilege(s.name, 'USAGE') end as ok
      from (select ${sequence} as name) s`.execute(db);
  const row = rows[0];
  if (row?.name && row.ok === false)
    missing.push({ privilege: 'USAGE', object: `SEQUENCE ${row.name}` });
}

/** sfsync's schema: created if missing, upgraded if behind (by its owner), else written. */
async function journalPrivileges(db: AnyDb, backfill: boolean): Promise<MissingGrant[]> {
  const version = await journalSchemaVersion(db);
  const { rows } = await sql<{
    database: string;
    create_db: boolean;
    create_schema: boolean | null;
    owns: boolean | null;
  }>`
    select current_database() as database,
           has_database_privilege(current_database(), 'CREATE') as create_db,
           (select has_schema_privilege(n.oid, 'CREATE')
              from pg_namespace n where n.nspname = 'sfsync') as create_schema,
           (select bool_and(pg_has_role(c.relowner, 'USAGE'))
              from pg_class c join pg_namespace n on n.oid = c.relnamespace
             where n.nspname = 'sfsync' and c.relname in ('runs', 'journal')) as owns`.execute(db);
  const state = rows[0]!;
  if (version === 0)
    return state.create_db
      ? []
      : [{ privilege: 'CREATE', object: `DATABASE ${quoteIdent(state.database)}` }];
  if (version < JOURNAL_SCHEMA_VERSION && (!state.owns || !state.create_schema)) {
    // Altering a table takes its owner; GRANT cannot give that.
    return [
      {
        privilege: 'CREATE',
        object:
          'SCHEMA sfsync (and ownership of sfsync.runs and sfsync.journal: ' +
          'run sfsync once as their owner to upgrade them)',
      },
    ];
  }
  const tables: [string, TablePrivilege[]][] = [
    ['schema_version', ['SELECT']],
    ['runs', ['SELECT', 'INSERT', 'UPDATE']],
    // UPDATE: a run writes what became of the rows earlier runs sent.
    ['journal', ['SELECT', 'INSERT', 'UPDATE']],
  ];
  if (backfill) tables.push(['checkpoints', ['SELECT', 'INSERT', 'UPDATE', 'DELETE']]);
  // A repair counts its re-sends (and --reset-attempts forgets them).
  else tables.push(['attempts', ['SELECT', 'INSERT', 'UPDATE', 'DELETE']]);
  // Looked up in pg_class, not by name: a name in a schema the role may not use cannot be resolved
  // at all.
  const { rows: grants } = await sql<{ name: string; privilege: string; ok: boolean }>`
    select 'USAGE' as privilege, 'SCHEMA sfsync' as name, has_schema_privilege(n.oid, 'USAGE') as ok
      from pg_namespace n where n.nspname = 'sfsync'
    union all
    select p.privilege, 'TABLE sfsync.' || c.relname, has_table_privilege(c.oid, p.privilege)
      from pg_class c join pg_namespace n on n.oid = c.relnamespace
      join jsonb_each(${JSON.stringify(Object.fromEntries(tables))}::jsonb) t on t.key = c.relname
      cross join lateral jsonb_array_elements_text(t.value) as p (privilege)
     where n.nspname = 'sfsync'
    union all
    select 'USAGE', 'SEQUENCE sfsync.' || c.relname, has_sequence_privilege(c.oid, 'USAGE')
      from pg_class c join pg_namespace n on n.oid = c.relnamespace
     where n.nspname = 'sfsync' and c.relname = 'journal_id_seq'`.execute(db);
  const order = (g: { name: string }) =>
    g.name.startsWith('SCHEMA') ? 0 : g.name.startsWith('SEQUENCE') ? 2 : 1;
  const rank = (name: string) => tables.findIndex(([table]) => name === `TABLE sfsync.${table}`);
  return grants
    .filter((g) => !g.ok)
    .sort((a, b) => order(a) - order(b) || rank(a.name) - rank(b.name))
    .map((g) => ({ privilege: g.privilege, object: g.name }));
}
