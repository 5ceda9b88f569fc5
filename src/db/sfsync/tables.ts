import type { ColumnType, Generated, Kysely, Transaction } from 'kysely';
import type { AnyDb } from '../driver/connect.js';

/**
 * sfsync's own tables (schema `sfsync`, created by journal-schema.ts) as
 * kysely types, so their queries are checked; tables named by the config
 * stay on `sql` with sql.ref/sql.table.
 */
type Json = ColumnType<unknown, string | null, string | null>;
type Timestamp = ColumnType<Date, never, Date | string>;

export interface RunsTable {
  run_id: string;
  command: string;
  started_at: Generated<Date>;
  finished_at: Timestamp | null;
  actor: string | null;
  host: string | null;
  command_line: string | null;
  dry_run: boolean;
  status: Generated<string>;
  summary: Json | null;
  lock_pid: number | null;
  lock_backend_start: string | null;
}

export interface JournalTable {
  id: Generated<string>;
  run_id: string;
  entity: string;
  mirror_table: string;
  action: string;
  key: string | null;
  mirror_id: number | null;
  before: Json | null;
  after: Json | null;
  adjusted: Json | null;
  at: Generated<Date>;
  outcome: string | null;
  outcome_code: string | null;
  settled_at: Timestamp | null;
}

export interface CheckpointsTable {
  entity: string;
  last_key: string | null;
  done: Generated<boolean>;
  run_id: string | null;
  updated_at: Generated<Date>;
}

export interface HistoryTable {
  run_id: string;
  entity: string;
  recorded_at: Generated<Date>;
  started_at: Timestamp;
  duration_ms: number;
  actor: string | null;
  host: string | null;
  source_rows: ColumnType<string | null, number | null, never>;
  mirror_rows: ColumnType<string, number, never>;
  unsynced_rows: ColumnType<string, number, never>;
  oldest_unsynced_age_seconds: ColumnType<string | null, number | null, never>;
  counts: Json;
}

export interface AttemptsTable {
  entity: string;
  key: string;
  attempts: number;
  first_attempt_at: Timestamp;
  last_attempt_at: Timestamp;
  last_code: string | null;
  last_run_id: string | null;
}

export interface SfsyncDb {
  'sfsync.history': HistoryTable;
  'sfsync.runs': RunsTable;
  'sfsync.journal': JournalTable;
  'sfsync.checkpoints': CheckpointsTable;
  'sfsync.attempts': AttemptsTable;
}

/** The same connection, typed for sfsync's own tables: the one place that cast lives. */
export function sfsyncTables(db: AnyDb | Transaction<any>): Kysely<SfsyncDb> {
  return db as unknown as Kysely<SfsyncDb>;
}

/** A value for a jsonb column: JSON text, or NULL. */
export function jsonValue(value: unknown): string | null {
  return value === null || value === undefined ? null : JSON.stringify(value);
}
