import { sql, type Transaction } from 'kysely';
import type { Entity, RunConfig, WritableEntity } from '../config/types.js';
import { ROW_CLASSES, type EntityAudit, type Mismatch, type MirrorRow, type ParentReadiness, type RowClass, type SourceRow } from '../core/audit-types.js';
import type { SchemaCatalog } from '../core/catalog.js';
import { classifyKey, classifyOrphan, readinessOf, type ClassifyContext } from '../core/classify.js';
import { diagnoseMirror, diagnoseSource } from '../core/diagnose.js';
import { TRIGGER_LOG_TABLES } from '../core/heroku-connect.js';
import { mergeByKey } from '../core/merge.js';
import { DatabaseError } from '../errors.js';
import type { Connection, QueryObserver, SessionTimeouts } from '../db/connect.js';
import { streamBatches } from '../db/cursor.js';
import { mirrorRowMapper, mirrorRowsQuery, readReadiness, readTriggerLog } from '../db/read-mirror.js';
import { sortedSourceRowsQuery, sourceRowMapper } from '../db/source-query.js';
import { auditScope } from './audit-scope.js';
import { openDatabases, type Databases } from './databases.js';

export interface AuditOptions {
  /** `--entity`: report only these (their ancestors are read, not reported). */
  readonly entities?: readonly string[] | undefined;
  /** Unsynced rows older than this are `stuck`. */
  readonly staleMs: number;
  /** Aborted by SIGINT/SIGTERM: the audit stops at the next batch. */
  readonly signal?: AbortSignal | undefined;
  readonly timeouts?: SessionTimeouts | undefined;
  readonly onQuery?: QueryObserver | undefined;
  /** Called as each entity starts and as rows are read, for progress display. */
  readonly onProgress?: (event: { entity: string; rows: number; done: boolean }) => void;
  /** Called with each reported entity as soon as it is classified (for streaming output). */
  readonly onEntity?: (audit: EntityAudit) => void;
}

export interface AuditResult {
  readonly startedAt: Date;
  readonly finishedAt: Date;
  /** Reported entities, canonical order. */
  readonly order: readonly string[];
  readonly entities: readonly EntityAudit[];
  readonly totals: Readonly<Record<RowClass, number>> & { readonly sourceRows: number; readonly mirrorRows: number; readonly mismatches: number };
}

/**
 * Diffs each entity's source rows against its mirror rows by external ID and
 * classifies every key. Reads only: both databases are read in READ ONLY,
 * REPEATABLE READ transactions, so the audit sees one consistent snapshot of
 * each and cannot write even through a trusted SQL fragment.
 */
export async function runAudit(config: RunConfig, options: AuditOptions): Promise<AuditResult> {
  auditScope(config, options.entities);
  const dbs = await openDatabases(config, {
    maxConnections: 1,
    purposes: { source: 'audit', mirror: 'audit' },
    timeouts: options.timeouts,
    onQuery: options.onQuery,
  });
  try {
    return await auditWith(dbs, config, options);
  } finally {
    await dbs.close();
  }
}

/** The audit through databases a command already holds (a repair audits before each level through its own pools). */
export async function auditWith(dbs: Databases, config: RunConfig, options: AuditOptions): Promise<AuditResult> {
  const startedAt = new Date();
  const scope = auditScope(config, options.entities);
  const { source, mirror, sourceCatalog, mirrorCatalog } = dbs;
  const inScope = config.entities.filter((e) => scope.read.includes(e.name));
  assertMatchesConfig(inScope, sourceCatalog, mirrorCatalog);
  const hasTriggerLog = TRIGGER_LOG_TABLES.every((table) => mirrorCatalog.tables.has(table));
  const byName = new Map(config.entities.map((e) => [e.name, e]));

  const audits = await readOnly(source, (sourceTrx) =>
    readOnly(mirror, async (mirrorTrx) => {
      const { rows } = await sql<{ now: Date }>`select now() as now`.execute(mirrorTrx);
      const parentStates = new Map<string, Map<string, ParentReadiness>>();
      const deferredStates = new Map<string, Map<string, ParentReadiness>>();
      for (const parent of new Set(
        scope.read.flatMap((name) =>
          byName
            .get(name)!
            .parents.filter((p) => p.deferred)
            .map((p) => p.entity),
        ),
      )) {
        deferredStates.set(parent, await readReadiness(mirrorTrx, mirror.schema, byName.get(parent)!));
      }
      const results: EntityAudit[] = [];
      for (const name of scope.read) {
        const entity = byName.get(name)!;
        const reported = scope.report.includes(name);
        const keepStates = scope.parents.has(name) ? new Map<string, ParentReadiness>() : undefined;
        if (keepStates) parentStates.set(name, keepStates);
        const progress = (count: number, done: boolean) => options.onProgress?.({ entity: name, rows: count, done });
        progress(0, false);
        const walk = {
          mirrorTrx,
          sourceTrx,
          mirrorSchema: mirror.schema,
          sourceSchema: source.schema,
          hasTriggerLog,
          progress,
          keepStates,
          signal: options.signal,
          oldestUnsynced: unsyncedAge(rows[0]!.now),
        };
        const ctx: Omit<ClassifyContext, 'entity'> = {
          parentStates,
          deferredStates,
          columns: mirrorCatalog.tables.get(entity.mirror.table)!.columns,
          now: rows[0]!.now,
          staleMs: options.staleMs,
          hasTriggerLog,
        };
        const audit = entity.readOnly || !reported ? await readMirrorOnly(entity, walk) : await auditEntity(entity, { ...ctx, entity }, walk);
        if (reported) {
          results.push(audit);
          options.onEntity?.(audit);
        }
      }
      return results;
    }),
  );
  return summarise(startedAt, scope.report, audits);
}

interface Walk {
  readonly mirrorTrx: Transaction<any>;
  readonly sourceTrx: Transaction<any>;
  readonly mirrorSchema: string;
  readonly sourceSchema: string;
  readonly hasTriggerLog: boolean;
  readonly progress: (rows: number, done: boolean) => void;
  readonly keepStates: Map<string, ParentReadiness> | undefined;
  readonly signal: AbortSignal | undefined;
  readonly oldestUnsynced: UnsyncedAge;
}

interface UnsyncedAge {
  see(row: MirrorRow): void;
  seconds(): number | null;
}

/** The age of the longest-waiting row without an sfid, measured against the mirror's clock (the clock the trigger log was written by). */
function unsyncedAge(now: Date): UnsyncedAge {
  let oldest: number | null = null;
  return {
    see(row) {
      const at = row.sfid === null ? row.log?.createdAt?.getTime() : undefined;
      if (at !== undefined && (oldest === null || at < oldest)) oldest = at;
    },
    seconds: () => (oldest === null ? null : Math.max(0, Math.floor((now.getTime() - oldest) / 1000))),
  };
}

async function auditEntity(entity: WritableEntity, ctx: ClassifyContext, walk: Walk): Promise<EntityAudit> {
  const counts = emptyCounts();
  const mismatches: Mismatch[] = [];
  let sourceRows = 0;
  let sourceRowsWithoutKey = 0;
  let mirrorRows = 0;
  let unsyncedRows = 0;

  const toSourceRow = sourceRowMapper(entity);
  async function* sourceSide(): AsyncGenerator<SourceRow[]> {
    for await (const batch of streamBatches(walk.sourceTrx, sortedSourceRowsQuery(entity, walk.sourceSchema))) {
      walk.signal?.throwIfAborted();
      sourceRows += batch.length;
      const rows: SourceRow[] = [];
      for (const raw of batch) {
        const row = toSourceRow(raw);
        if (row) rows.push(row);
        else sourceRowsWithoutKey++;
      }
      yield rows;
    }
  }

  let seen = 0;
  await mergeByKey(sourceSide(), mirrorSide(entity, walk), (group) => {
    mirrorRows += group.mirror.length;
    for (const row of group.mirror) {
      if (row.sfid === null) unsyncedRows++;
      walk.oldestUnsynced.see(row);
    }
    if (group.mirror.length > 0) walk.keepStates?.set(group.key, readinessOf(group.mirror));
    const result = group.source
      ? classifyKey(ctx, group.source, group.mirror, 1 + group.extraSourceRows)
      : { class: 'orphan' as const, mismatch: classifyOrphan(group.key, group.mirror, entity.source.where !== undefined) };
    counts[result.class]++;
    if (result.mismatch) mismatches.push(result.mismatch);
    if (++seen % 5_000 === 0) walk.progress(seen, false);
  });
  walk.progress(seen, true);
  return {
    name: entity.name,
    readOnly: false,
    mirrorTable: entity.mirror.table,
    sourceRows,
    mirrorRows,
    unsyncedRows,
    oldestUnsyncedAgeSeconds: walk.oldestUnsynced.seconds(),
    sourceRowsWithoutKey,
    counts,
    mismatches,
  };
}

/** Read-only entities, and ancestors read only for their readiness: count rows, keep parent states. */
async function readMirrorOnly(entity: Entity, walk: Walk): Promise<EntityAudit> {
  let mirrorRows = 0;
  let unsyncedRows = 0;
  let group: MirrorRow[] = [];
  const flush = () => {
    if (group.length > 0) walk.keepStates?.set(group[0]!.key, readinessOf(group));
    group = [];
  };
  for await (const batch of mirrorSide(entity, walk)) {
    for (const row of batch) {
      if (group.length > 0 && group[0]!.key !== row.key) flush();
      group.push(row);
      if (row.sfid === null) unsyncedRows++;
      walk.oldestUnsynced.see(row);
    }
    mirrorRows += batch.length;
    walk.progress(mirrorRows, false);
  }
  flush();
  walk.progress(mirrorRows, true);
  return {
    name: entity.name,
    readOnly: entity.readOnly,
    mirrorTable: entity.mirror.table,
    sourceRows: null,
    mirrorRows,
    unsyncedRows,
    oldestUnsyncedAgeSeconds: walk.oldestUnsynced.seconds(),
    sourceRowsWithoutKey: 0,
    counts: emptyCounts(),
    mismatches: [],
  };
}

async function* mirrorSide(entity: Entity, walk: Walk): AsyncGenerator<MirrorRow[]> {
  const log = walk.hasTriggerLog ? await readTriggerLog(walk.mirrorTrx, walk.mirrorSchema, entity) : new Map();
  const toMirrorRow = mirrorRowMapper(entity, log);
  for await (const batch of streamBatches(walk.mirrorTrx, mirrorRowsQuery(entity, walk.mirrorSchema))) {
    walk.signal?.throwIfAborted();
    yield batch.map(toMirrorRow);
  }
}

/** Every failure inside is already a DatabaseError naming the database it came from (see db/pool-adapter.ts). */
function readOnly<T>(connection: Connection, work: (trx: Transaction<any>) => Promise<T>): Promise<T> {
  return connection.db.transaction().setIsolationLevel('repeatable read').setAccessMode('read only').execute(work);
}

/** The audit cannot be trusted against tables that do not match the config: say what to fix. */
function assertMatchesConfig(entities: readonly Entity[], source: SchemaCatalog, mirror: SchemaCatalog): void {
  const problems = [...diagnoseSource(entities, source), ...diagnoseMirror(entities, mirror)].filter(
    (f) => f.level === 'error' && f.code !== 'xmlbinary_not_captured',
  );
  if (problems.length === 0) return;
  const lines = problems.map((f) => `  - ${f.database}${f.entity ? ` (${f.entity})` : ''}: ${f.message}`);
  throw new DatabaseError(['the databases do not match the config (run `sfsync doctor` for the full report):', ...lines].join('\n'));
}

function emptyCounts(): Record<RowClass, number> {
  return Object.fromEntries(ROW_CLASSES.map((c) => [c, 0])) as Record<RowClass, number>;
}

function summarise(startedAt: Date, order: readonly string[], entities: readonly EntityAudit[]): AuditResult {
  const totals = { ...emptyCounts(), sourceRows: 0, mirrorRows: 0, mismatches: 0 };
  for (const audit of entities) {
    for (const cls of ROW_CLASSES) totals[cls] += audit.counts[cls];
    totals.sourceRows += audit.sourceRows ?? 0;
    totals.mirrorRows += audit.mirrorRows;
    totals.mismatches += audit.mismatches.length;
  }
  return { startedAt, finishedAt: new Date(), order, entities, totals };
}
