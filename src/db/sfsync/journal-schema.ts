import { sql, type RawBuilder, type Transaction } from 'kysely';
import type { AnyDb } from '../driver/connect.js';
import { writeTransaction } from '../driver/transactions.js';

/**
 * The `sfsync` schema in the mirror database, versioned: each migration runs
 * once, in order, under a transaction-level advisory lock so two runs never
 * migrate at once, and only when the schema is behind, so a role without
 * CREATE can work against an up-to-date schema. Installs made before
 * versioning (runs/journal/checkpoints without sfsync.schema_version) count
 * as version 1. The schema has no Connect triggers: nothing here reaches Salesforce.
 */
const MIGRATIONS: readonly {
  readonly version: number;
  readonly statements: readonly RawBuilder<unknown>[];
}[] = [
  {
    version: 1,
    statements: [
      sql`create schema if not exists sfsync`,
      sql`create table if not exists sfsync.runs (
            run_id       uuid primary key,
            command      text not null,
            started_at   timestamptz not null default clock_timestamp(),
            finished_at  timestamptz,
            actor        text,
            host         text,
            command_line text,
            dry_run      boolean not null,
            status       text not null default 'running',
            summary      jsonb
          )`,
      sql`create table if not exists sfsync.journal (
            id           bigserial primary key,
            run_id       uuid not null references sfsync.runs (run_id),
            entity       text not null,
            mirror_table text not null,
            action       text not null,
            key          text,
            mirror_id    integer,
            before       jsonb,
            after        jsonb,
            at           timestamptz not null default clock_timestamp()
          )`,
      sql`create index if not exists journal_run_id on sfsync.journal (run_id, id)`,
      sql`create table if not exists sfsync.checkpoints (
            entity      text primary key,
            last_key    text,
            done        boolean not null default false,
            run_id      uuid,
            updated_at  timestamptz not null default clock_timestamp()
          )`,
    ],
  },
  {
    version: 2,
    statements: [
      // The run's lock session, so a run left 'running' by a killed process shows as abandoned once
      // its lock is free.
      sql`alter table sfsync.runs add column if not exists lock_pid integer,
                                  add column if not exists lock_backend_start text`,
      // What sfsync changed in a value to make it fit its mirror column (cut to length, rounded to
      // scale).
      sql`alter table sfsync.journal add column if not exists adjusted jsonb`,
    ],
  },
  {
    version: 3,
    statements: [
      // One row per entity of each audit run with --record: what `sfsync history` and
      // --fail-on-increase compare.
      sql`create table if not exists sfsync.history (
            run_id                      uuid not null,
            entity                      text not null,
            recorded_at                 timestamptz not null default clock_timestamp(),
            started_at                  timestamptz not null,
            duration_ms                 integer not null,
            actor                       text,
            host                        text,
            source_rows                 bigint,
            mirror_rows                 bigint not null,
            unsynced_rows               bigint not null,
            oldest_unsynced_age_seconds bigint,
            counts                      jsonb not null,
            primary key (run_id, entity)
          )`,
      sql`create index if not exists history_entity_recorded
            on sfsync.history (entity, recorded_at desc)`,
    ],
  },
  {
    version: 4,
    statements: [
      // How often repair re-sent each FAILED row, across runs: its backoff and its cap.
      sql`create table if not exists sfsync.attempts (
            entity           text not null,
            key              text not null,
            attempts         integer not null,
            first_attempt_at timestamptz not null,
            last_attempt_at  timestamptz not null,
            last_code        text,
            last_run_id      uuid,
            primary key (entity, key)
          )`,
      // What became of each row a run sent: confirmed, failed_again or unconfirmed (NULL: not
      // settled yet; unconfirmed ones are looked at again by later runs).
      sql`alter table sfsync.journal add column if not exists outcome text,
                                     add column if not exists outcome_code text,
                                     add column if not exists settled_at timestamptz`,
      sql`create index if not exists journal_unsettled on sfsync.journal (entity, id)
            where outcome is null or outcome = 'unconfirmed'`,
      // `sfsync why ENTITY KEY` reads one record's entries.
      sql`create index if not exists journal_record on sfsync.journal (entity, key, id)`,
    ],
  },
];

export const JOURNAL_SCHEMA_VERSION = MIGRATIONS.at(-1)!.version;

/**
 * 0: no sfsync schema yet; otherwise the version the schema is at. Found in
 * pg_class rather than by name, so a role without USAGE on the schema learns
 * that it exists (and what to grant) instead of failing here.
 */
export async function journalSchemaVersion(db: AnyDb | Transaction<any>): Promise<number> {
  const { rows } = await sql<{ versioned: boolean; legacy: boolean; readable: boolean }>`
    select bool_or(c.relname = 'schema_version') is true as versioned,
           bool_or(c.relname = 'runs') is true as legacy,
           coalesce(bool_or(c.relname = 'schema_version'
                            and has_schema_privilege(n.oid, 'USAGE')
                            and has_table_privilege(c.oid, 'SELECT')), false) as readable
      from pg_class c join pg_namespace n on n.oid = c.relnamespace
     where n.nspname = 'sfsync' and c.relname in ('schema_version', 'runs')`.execute(db);
  // A role that may not read the version cannot be told it is behind; the privilege check names
  // what to grant.
  if (rows[0]!.versioned && !rows[0]!.readable) return JOURNAL_SCHEMA_VERSION;
  if (rows[0]!.versioned) {
    const { rows: version } = await sql<{
      version: number | null;
    }>`select max(version) as version from sfsync.schema_version`.execute(db);
    return version[0]?.version ?? 0;
  }
  return rows[0]!.legacy ? 1 : 0;
}

/**
 * Brings the sfsync schema up to this version of sfsync; does nothing (and needs no privilege
 * beyond reading) when it already is.
 */
export async function ensureJournal(db: AnyDb): Promise<void> {
  if ((await journalSchemaVersion(db)) >= JOURNAL_SCHEMA_VERSION) return;
  await writeTransaction(db, async (trx) => {
    await sql`select pg_advisory_xact_lock(hashtext('sfsync:migrate'))`.execute(trx);
    const from = await journalSchemaVersion(trx);
    for (const migration of MIGRATIONS) {
      if (migration.version <= from) continue;
      for (const statement of migration.statements) await statement.execute(trx);
    }
    await sql`create table if not exists sfsync.schema_version (
                version     integer primary key,
                migrated_at timestamptz not null default clock_timestamp()
              )`.execute(trx);
    for (const migration of MIGRATIONS) {
      await sql`insert into sfsync.schema_version (version) values (${migration.version})
                on conflict do nothing`.execute(trx);
    }
  });
}
