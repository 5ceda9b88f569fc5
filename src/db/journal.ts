import { sql, type Kysely, type Transaction } from 'kysely';
import type { AnyDb } from './connect.js';

/**
 * sfsync's own records in the mirror database, schema `sfsync`: one row per
 * run, one journal row per change (with the full row before and after), and
 * backfill checkpoints. Nothing a repair removes is lost: it is here.
 * The schema has no Connect triggers, so these writes never reach Salesforce.
 */
export const JOURNAL_SCHEMA = 'sfsync';

export async function ensureJournal(db: AnyDb): Promise<void> {
  await sql`create schema if not exists sfsync`.execute(db);
  await sql`create table if not exists sfsync.runs (
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
    )`.execute(db);
  await sql`create table if not exists sfsync.journal (
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
    )`.execute(db);
  await sql`create index if not exists journal_run_id on sfsync.journal (run_id, id)`.execute(db);
  await sql`create table if not exists sfsync.checkpoints (
      entity      text primary key,
      last_key    text,
      done        boolean not null default false,
      run_id      uuid,
      updated_at  timestamptz not null default clock_timestamp()
    )`.execute(db);
}

export interface RunRecord {
  readonly runId: string;
  readonly command: string;
  readonly actor: string;
  readonly host: string;
  readonly commandLine: string;
  readonly dryRun: boolean;
}

export async function startRun(db: AnyDb, run: RunRecord): Promise<void> {
  await sql`insert into sfsync.runs (run_id, command, actor, host, command_line, dry_run)
            values (${run.runId}, ${run.command}, ${run.actor}, ${run.host}, ${run.commandLine}, ${run.dryRun})`.execute(db);
}

export async function finishRun(db: AnyDb, runId: string, status: string, summary: unknown): Promise<void> {
  await sql`update sfsync.runs set finished_at = clock_timestamp(), status = ${status}, summary = ${JSON.stringify(summary)}::jsonb
             where run_id = ${runId}`.execute(db);
}

export interface JournalEntry {
  readonly runId: string;
  readonly entity: string;
  readonly mirrorTable: string;
  readonly action: string;
  readonly key: string;
  readonly mirrorId: number | null;
  readonly before: unknown;
  readonly after: unknown;
}

/** Written in the same transaction as the change it records. */
export async function journal(trx: Transaction<any> | Kysely<any>, entry: JournalEntry): Promise<void> {
  await sql`insert into sfsync.journal (run_id, entity, mirror_table, action, key, mirror_id, before, after)
            values (${entry.runId}, ${entry.entity}, ${entry.mirrorTable}, ${entry.action}, ${entry.key}, ${entry.mirrorId},
                    ${entry.before === null ? null : JSON.stringify(entry.before)}::jsonb,
                    ${entry.after === null ? null : JSON.stringify(entry.after)}::jsonb)`.execute(trx);
}

export interface RunRow {
  run_id: string;
  command: string;
  started_at: Date;
  finished_at: Date | null;
  actor: string | null;
  host: string | null;
  command_line: string | null;
  dry_run: boolean;
  status: string;
  summary: unknown;
  changes: number;
}

export interface JournalRow {
  id: string;
  entity: string;
  mirror_table: string;
  action: string;
  key: string | null;
  mirror_id: number | null;
  before: Record<string, unknown> | null;
  after: Record<string, unknown> | null;
  at: Date;
}

export async function journalExists(db: AnyDb): Promise<boolean> {
  const { rows } = await sql<{ found: boolean }>`select to_regclass('sfsync.journal') is not null as found`.execute(db);
  return rows[0]?.found ?? false;
}

export async function listRuns(db: AnyDb, limit: number): Promise<RunRow[]> {
  const { rows } = await sql<RunRow>`
    select r.*, (select count(*) from sfsync.journal j where j.run_id = r.run_id)::int as changes
      from sfsync.runs r order by r.started_at desc limit ${limit}`.execute(db);
  return rows;
}

export async function readRun(db: AnyDb, runId: string): Promise<{ run: RunRow | undefined; entries: JournalRow[] }> {
  const runs = await sql<RunRow>`
    select r.*, (select count(*) from sfsync.journal j where j.run_id = r.run_id)::int as changes
      from sfsync.runs r where r.run_id::text = ${runId} or r.run_id::text like ${`${runId}%`} order by r.started_at desc limit 2`.execute(db);
  const run = runs.rows.length === 1 ? runs.rows[0] : runs.rows.find((r) => r.run_id === runId);
  if (!run) return { run: undefined, entries: [] };
  const entries = await sql<JournalRow>`select * from sfsync.journal where run_id = ${run.run_id} order by id`.execute(db);
  return { run, entries: entries.rows };
}
