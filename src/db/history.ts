import { sql } from 'kysely';
import { ROW_CLASSES, type EntityAudit, type RowClass } from '../core/audit-types.js';
import type { HistoryPoint } from '../core/trend.js';
import type { AnyDb } from './connect.js';
import { journalSchemaVersion } from './journal-schema.js';
import { jsonValue, sfsyncTables } from './sfsync-tables.js';

/** The schema version that brought sfsync.history. */
const HISTORY_VERSION = 3;

export interface RecordedRun {
  readonly runId: string;
  readonly startedAt: Date;
  readonly durationMs: number;
  readonly actor: string;
  readonly host: string;
  readonly entities: readonly EntityAudit[];
}

/** Stores one audit's per-entity summary (the schema must be migrated: ensureJournal). */
export async function recordAudit(db: AnyDb, run: RecordedRun): Promise<void> {
  if (run.entities.length === 0) return;
  await sfsyncTables(db)
    .insertInto('sfsync.history')
    .values(
      run.entities.map((e) => ({
        run_id: run.runId,
        entity: e.name,
        started_at: run.startedAt,
        duration_ms: Math.round(run.durationMs),
        actor: run.actor,
        host: run.host,
        source_rows: e.sourceRows,
        mirror_rows: e.mirrorRows,
        unsynced_rows: e.unsyncedRows,
        oldest_unsynced_age_seconds: e.oldestUnsyncedAgeSeconds,
        counts: jsonValue(e.counts),
      })),
    )
    .execute();
}

export async function historyExists(db: AnyDb): Promise<boolean> {
  return (await journalSchemaVersion(db)) >= HISTORY_VERSION;
}

/** Each entity's latest recorded point, for --fail-on-increase; empty when nothing was ever recorded. */
export async function latestRecorded(db: AnyDb, entities: readonly string[]): Promise<Map<string, HistoryPoint>> {
  if (entities.length === 0 || !(await historyExists(db))) return new Map();
  const rows = await sfsyncTables(db)
    .selectFrom('sfsync.history')
    .selectAll()
    .distinctOn('entity')
    .where('entity', 'in', [...entities])
    .orderBy('entity')
    .orderBy('recorded_at', 'desc')
    .orderBy('run_id')
    .execute();
  return new Map(rows.map((row) => [row.entity, point(row)]));
}

/** The last `limit` recorded runs of each entity (all entities, or these), oldest first within an entity. */
export async function readHistory(db: AnyDb, options: { entities?: readonly string[] | undefined; limit: number }): Promise<HistoryPoint[]> {
  if (!(await historyExists(db))) return [];
  const entities = options.entities && options.entities.length > 0 ? options.entities : undefined;
  const { rows } = await sql<HistoryRow>`
    select * from (
      select h.*, row_number() over (partition by h.entity order by h.recorded_at desc, h.run_id) as nth from sfsync.history h
       ${entities ? sql`where h.entity = any(${[...entities]}::text[])` : sql``}
    ) as recent
     where recent.nth <= ${options.limit}
     order by recent.entity, recent.recorded_at, recent.run_id`.execute(db);
  return rows.map(point);
}

interface HistoryRow {
  run_id: string;
  entity: string;
  recorded_at: Date;
  source_rows: string | null;
  mirror_rows: string;
  unsynced_rows: string;
  oldest_unsynced_age_seconds: string | null;
  counts: unknown;
}

function point(row: HistoryRow): HistoryPoint {
  return {
    runId: row.run_id,
    entity: row.entity,
    recordedAt: row.recorded_at,
    sourceRows: row.source_rows === null ? null : Number(row.source_rows),
    mirrorRows: Number(row.mirror_rows),
    unsyncedRows: Number(row.unsynced_rows),
    oldestUnsyncedAgeSeconds: row.oldest_unsynced_age_seconds === null ? null : Number(row.oldest_unsynced_age_seconds),
    counts: countsOf(row.counts),
  };
}

/** Only known classes with whole counts: the column is ours, but a hand edit must not break a nightly job. */
function countsOf(value: unknown): Partial<Record<RowClass, number>> {
  const counts: Partial<Record<RowClass, number>> = {};
  if (!value || typeof value !== 'object') return counts;
  for (const cls of ROW_CLASSES) {
    const n = (value as Record<string, unknown>)[cls];
    if (typeof n === 'number' && Number.isInteger(n) && n >= 0) counts[cls] = n;
  }
  return counts;
}
