import { sql } from 'kysely';
import { z } from 'zod';
import { ROW_CLASSES, type EntityAudit, type RowClass } from '../../core/audit/types.js';
import type { HistoryPoint, IgnoredRow } from '../../core/history/trend.js';
import { utc } from '../../core/time-text.js';
import type { AnyDb } from '../driver/connect.js';
import { journalSchemaVersion } from './journal-schema.js';
import { jsonValue, sfsyncTables } from './tables.js';

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

/**
 * How far past the database's clock a row's recorded_at may be. Rows are stamped by the same
 * clock (clock_timestamp() on insert), so only that clock stepping back makes a true row look
 * future-dated: an NTP correction (seconds) or a failover/restore onto a host whose clock
 * differs (seconds to a minute or two). Recorded runs are hours apart, so a row dated further
 * ahead was not written by a run that has happened; left in, it would be every later run's
 * "previous" and mask every increase.
 */
export const CLOCK_SKEW_MS = 5 * 60_000;

export interface HistoryRead {
  readonly points: HistoryPoint[];
  /**
   * Rows skipped because they cannot be trusted (only those met while reading: older ones are not
   * read).
   */
  readonly ignored: IgnoredRow[];
}

/**
 * Each entity's latest valid recorded point, for --fail-on-increase; empty when nothing was ever
 * recorded.
 */
export async function latestRecorded(
  db: AnyDb,
  entities: readonly string[],
): Promise<{ latest: Map<string, HistoryPoint>; ignored: IgnoredRow[] }> {
  if (entities.length === 0) return { latest: new Map(), ignored: [] };
  const { points, ignored } = await readHistory(db, { entities, limit: 1 });
  return { latest: new Map(points.map((p) => [p.entity, p])), ignored };
}

/** Rows read per entity by each query after the first (which asks for just what is wanted). */
const PAGE = 100;

/**
 * The last `limit` valid recorded runs of each entity (all entities, or these), oldest first
 * within an entity. Rows are read newest first, a page at a time, until each entity has
 * `limit` valid ones or none is left, so a bad row is skipped, never stands in for a good one.
 */
export async function readHistory(
  db: AnyDb,
  options: { entities?: readonly string[] | undefined; limit: number },
): Promise<HistoryRead> {
  if (options.limit <= 0 || !(await historyExists(db))) return { points: [], ignored: [] };
  const { rows: clock } = await sql<{ now: Date }>`select clock_timestamp() as now`.execute(db);
  const now = clock[0]!.now;
  const kept = new Map<string, HistoryPoint[]>();
  const ignored: IgnoredRow[] = [];
  let scope = options.entities && options.entities.length > 0 ? options.entities : undefined;
  for (let from = 0, size = options.limit; ; from += size, size = Math.max(options.limit, PAGE)) {
    const { rows } = await sql<HistoryRow>`
      select * from (
        select h.*,
               row_number() over (partition by h.entity
                                  order by h.recorded_at desc, h.run_id) as nth
          from sfsync.history h
         ${scope ? sql`where h.entity = any(${[...scope]}::text[])` : sql``}
      ) as recent
       where recent.nth > ${from} and recent.nth <= ${from + size}
       order by recent.entity, recent.nth`.execute(db);
    const read = new Map<string, number>();
    for (const row of rows) {
      read.set(row.entity, (read.get(row.entity) ?? 0) + 1);
      const points = kept.get(row.entity) ?? [];
      kept.set(row.entity, points);
      if (points.length >= options.limit) continue;
      const checked = checkRow(row, now);
      if (typeof checked === 'string')
        ignored.push({ runId: String(row.run_id), entity: row.entity, reason: checked });
      else points.push(checked);
    }
    // Only an entity that filled the page can have older rows, and only one still short needs them.
    scope = [...read]
      .filter(([entity, n]) => n === size && kept.get(entity)!.length < options.limit)
      .map(([entity]) => entity);
    if (scope.length === 0) break;
  }
  const oldestFirst = (a: HistoryPoint, b: HistoryPoint) =>
    a.recordedAt.getTime() - b.recordedAt.getTime() || (a.runId < b.runId ? -1 : 1);
  return { points: [...kept.values()].flatMap((points) => points.sort(oldestFirst)), ignored };
}

interface HistoryRow {
  run_id: unknown;
  entity: string;
  recorded_at: unknown;
  source_rows: unknown;
  mirror_rows: unknown;
  unsynced_rows: unknown;
  oldest_unsynced_age_seconds: unknown;
  counts: unknown;
}

const wholeNumber = z.number().int().nonnegative();
/** bigint columns arrive as text: a whole number JavaScript holds exactly. */
const bigintText = z
  .string()
  .regex(/^\d+$/, 'not a whole number >= 0')
  .transform(Number)
  .pipe(wholeNumber);

/**
 * What the readers assume of a row. Every class must be counted: a missing or unreadable count
 * read as 0 would make the next run's count look like growth. (A class added later must be
 * optional here, for the rows recorded before it.)
 */
const historyRow = z.object({
  run_id: z.string(),
  entity: z.string(),
  recorded_at: z.date(),
  source_rows: bigintText.nullable(),
  mirror_rows: bigintText,
  unsynced_rows: bigintText,
  oldest_unsynced_age_seconds: bigintText.nullable(),
  // gave_up came later: a row recorded before it counts none.
  counts: z.object(
    Object.fromEntries(
      ROW_CLASSES.map((cls) => [cls, cls === 'gave_up' ? wholeNumber.default(0) : wholeNumber]),
    ) as Record<RowClass, typeof wholeNumber>,
  ),
});

/** The row as a point, or why it cannot be trusted. */
function checkRow(row: HistoryRow, now: Date): HistoryPoint | string {
  const parsed = historyRow.safeParse(row);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    return `${issue.path.join('.')}: ${issue.message}`;
  }
  const r = parsed.data;
  if (r.recorded_at.getTime() > now.getTime() + CLOCK_SKEW_MS) {
    return (
      `recorded_at ${utc(r.recorded_at)} is in the future ` +
      `(the database's clock says ${utc(now)})`
    );
  }
  return {
    runId: r.run_id,
    entity: r.entity,
    recordedAt: r.recorded_at,
    sourceRows: r.source_rows,
    mirrorRows: r.mirror_rows,
    unsyncedRows: r.unsynced_rows,
    oldestUnsyncedAgeSeconds: r.oldest_unsynced_age_seconds,
    counts: r.counts,
  };
}
