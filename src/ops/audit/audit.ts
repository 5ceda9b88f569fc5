import type { Transaction } from 'kysely';
import type { Entity, RunConfig, WritableEntity } from '../../config/types.js';
import {
  MAX_AUDIT_CONCURRENCY,
  type AuditMethod,
  type EntityAudit,
  type Mismatch,
} from '../../core/audit/types.js';
import type { ColumnInfo, SchemaCatalog } from '../../core/schema/catalog.js';
import { readRowEstimate } from '../../db/catalog/read-structure.js';
import {
  chooseMethod,
  runMethod,
  type MethodChoice,
  type RunMethod,
} from '../../core/methods/method-choice.js';
import { diagnoseMirror, diagnoseSource } from '../../core/schema/diagnose.js';
import { TRIGGER_LOG_TABLES } from '../../core/connect/heroku-connect.js';
import type { SplitTuning } from '../../core/methods/segments.js';
import type { Shard } from '../../core/methods/shard.js';
import { DatabaseError } from '../../errors.js';
import type { QueryObserver, SessionTimeouts } from '../../db/driver/connect.js';
import { countMirrorRows } from '../../db/audit/count-mirror.js';
import { shardFilter } from '../../db/audit/shard-filter.js';
import type { PolicyOverrides } from '../../core/connect/error-policy.js';
import { attemptsReadable } from '../../db/sfsync/attempts.js';
import { classifySuspects, KEYS_PER_READ, type DetailReaders } from './details.js';
import { agreedDigest, serverNow } from '../../db/driver/server-facts.js';
import { comparePlan, majorVersion, type AuditSides } from './sides.js';
import type { KeyFacts, RunKeys } from './methods/method.js';
import { summariseEntity } from './methods/summarise.js';
import { auditScope } from './scope.js';
import { inOrderOnWorkers } from './workers.js';
import { withSnapshotPairs, type SidePair } from '../../db/audit/snapshots.js';
import type { EntityTables, MirrorTable } from '../../db/entity-tables.js';
import { openDatabases, type Databases } from '../databases.js';
import { spillingSuspects, SUSPECTS_IN_MEMORY } from './suspect-spool.js';
import { spillingMismatches } from './mismatch-spool.js';
import { auditTotals, emptyCounts, type AuditResult } from '../../core/audit/result.js';

/**
 * Where one entity's audit is: `summary` counts source keys compared (total: the planner's row
 * estimate, null when unknown), `details` the suspect keys read in full (total exact), `done` the
 * entity's rows.
 */
export interface AuditProgress {
  readonly entity: string;
  readonly phase: 'summary' | 'details' | 'done';
  readonly rows: number;
  readonly total: number | null;
  readonly done: boolean;
}

export interface AuditOptions {
  /** `--entity`: report only these (their ancestors are read, not reported). */
  readonly entities?: readonly string[] | undefined;
  /** Unsynced rows older than this are `stuck`. */
  readonly staleMs: number;
  /** Aborted by SIGINT/SIGTERM: the audit stops at the next batch. */
  readonly signal?: AbortSignal | undefined;
  readonly timeouts?: SessionTimeouts | undefined;
  readonly onQuery?: QueryObserver | undefined;
  /** Called as each entity starts, as its rows are read and when it is done, for progress. */
  readonly onProgress?: ((event: AuditProgress) => void) | undefined;
  /** Called with each reported entity as soon as it is classified (for streaming output). */
  readonly onEntity?: (audit: EntityAudit) => void;
  /**
   * Classify every key in JavaScript, trusting no digest: the reference the fast paths are tested
   * against.
   */
  readonly everyKey?: boolean;
  /** `--method`: how the sides are compared; `auto` (the default) picks per entity. */
  readonly method?: AuditMethod | 'auto' | undefined;
  /** The checksum method's segment sizes (for tests; the defaults suit real tables). */
  readonly checksumTuning?: SplitTuning | undefined;
  /**
   * `--concurrency`: entities audited at once, each on its own pair of sessions sharing one
   * snapshot per database (default 1).
   */
  readonly concurrency?: number | undefined;
  /**
   * `--shard K/N`: audit only the keys of this shard (`sfsync merge` adds the shards' reports up).
   */
  readonly shard?: Shard | undefined;
  /**
   * Each entity's mismatches, a few thousand at a time in key order, instead of
   * in its EntityAudit (whose `mismatches` stay empty): a repair plans and writes
   * them as they come, so its memory holds a batch, not the table.
   */
  readonly onMismatches?:
    | ((entity: string, mismatches: readonly Mismatch[]) => Promise<void>)
    | undefined;
  /**
   * Mismatches an entity keeps in memory before the rest spill to a temporary file and are read
   * back on each pass over the list (the CLI passes MISMATCHES_IN_MEMORY; default: all in memory).
   */
  readonly mismatchesInMemory?: number | undefined;
  /**
   * Suspects held in memory before the rest spill to a temporary file (default SUSPECTS_IN_MEMORY;
   * tests lower it).
   */
  readonly suspectsInMemory?: number | undefined;
  /**
   * Suspect keys read in full, classified and handed to onMismatches at a time (default
   * KEYS_PER_READ).
   */
  readonly keysPerRead?: number | undefined;
  /** Classify as if repair had never re-sent a row (`repair --reset-attempts`): no gave_up. */
  readonly ignoreAttempts?: boolean | undefined;
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
    maxConnections: sessionPairs(options),
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

/** Session pairs `--concurrency` asks for, within 1 … MAX_AUDIT_CONCURRENCY. */
function sessionPairs(options: AuditOptions): number {
  return Math.min(Math.max(1, options.concurrency ?? 1), MAX_AUDIT_CONCURRENCY);
}

/**
 * The audit through databases a command already holds (a repair audits before each level through
 * its own pools).
 */
export async function auditWith(
  dbs: Databases,
  config: RunConfig,
  options: AuditOptions,
): Promise<AuditResult> {
  const startedAt = new Date();
  const scope = auditScope(config, options.entities);
  const { source, mirror, sourceCatalog, mirrorCatalog, tables } = dbs;
  const inScope = config.entities.filter((e) => scope.read.includes(e.name));
  assertMatchesConfig(inScope, sourceCatalog, mirrorCatalog);
  const hasTriggerLog = TRIGGER_LOG_TABLES.every((table) => mirrorCatalog.tables.has(table));
  const byName = new Map(config.entities.map((e) => [e.name, e]));
  const bytesBefore = source.bytesRead() + mirror.bytesRead();

  const concurrency = Math.min(sessionPairs(options), scope.report.length);
  const audits = await withSnapshotPairs(
    source,
    mirror,
    concurrency,
    async (pairs, facts) => {
      const main = pairs[0]!;
      const now = await serverNow(main.mirror.trx);
      const method = runMethod(options.method, facts.sameDatabase);
      const digest = await agreedDigest(main.source.trx, main.mirror.trx);
      // Read where the details look attempts up (DetailReaders.lookups).
      const lookups = (pair: SidePair) => (facts.sharedSnapshot ? pair.source : pair.mirror);
      const hasAttempts = !options.ignoreAttempts && (await attemptsReadable(lookups(main).trx));
      const trimScale =
        majorVersion(sourceCatalog.serverVersion) >= 13 &&
        majorVersion(mirrorCatalog.serverVersion) >= 13;
      const workers = pairs.map((pair) => ({
        sides: { ...pair, digest, trimScale } satisfies AuditSides,
        readers: {
          sides: pair,
          lookups: lookups(pair),
          hasTriggerLog,
          hasAttempts,
          mirrors: tables.mirrors,
          signal: options.signal,
        } satisfies DetailReaders,
      }));
      // Compiled once per run; each entity adds its columns and key facts.
      const run: RunContext = {
        now,
        staleMs: options.staleMs,
        hasTriggerLog,
        policies: config.repair.policies,
        maxAttempts: config.repair.attempts.maxAttempts,
        everyKey: options.everyKey ?? false,
        method,
        sharedSnapshot: facts.sharedSnapshot,
        checksumTuning: options.checksumTuning,
        keys: { shard: options.shard, filter: shardFilter(options.shard) },
        signal: options.signal,
        suspectsInMemory: options.suspectsInMemory ?? SUSPECTS_IN_MEMORY,
        mismatchesInMemory: options.mismatchesInMemory,
        onMismatches: options.onMismatches,
        keysPerRead: options.keysPerRead ?? KEYS_PER_READ,
        onProgress: options.onProgress,
      };
      const auditOne = (name: string, worker: (typeof workers)[number]) => {
        const entity = byName.get(name)!;
        if (entity.readOnly)
          return countMirror(tables.mirrors.get(name)!, worker.sides.mirror.trx, run);
        return auditEntity(entity, worker.sides, worker.readers, {
          ...run,
          tables: tables.writable.get(name)!,
          columns: mirrorCatalog.tables.get(entity.mirror.table)!.columns,
          keyFacts: keyFacts(entity, sourceCatalog, mirrorCatalog),
        });
      };
      // Ancestors outside the report are not read: a parent's readiness is looked up for the rows
      // that need it, so any entity can go on any worker, in any order; results are reported in
      // canonical order all the same.
      return inOrderOnWorkers(
        scope.report,
        workers,
        options.signal,
        async (name, worker) => {
          const audit = await auditOne(name, worker);
          options.onProgress?.({
            entity: name,
            phase: 'done',
            rows: audit.sourceRows ?? audit.mirrorRows,
            total: null,
            done: true,
          });
          return audit;
        },
        options.onEntity,
      );
    },
    { idle: options.onMismatches !== undefined },
  );
  return summarise(
    startedAt,
    scope.report,
    audits,
    source.bytesRead() + mirror.bytesRead() - bytesBefore,
    options.shard,
  );
}

/** What every entity of a run is audited with. */
interface RunContext {
  readonly now: Date;
  readonly staleMs: number;
  readonly hasTriggerLog: boolean;
  /** The config's repair policy per error code: the audit reports what repair will do. */
  readonly policies: PolicyOverrides;
  /** Re-sends after which repair gives a FAILED row up (gave_up). */
  readonly maxAttempts: number;
  readonly everyKey: boolean;
  readonly method: RunMethod;
  /** Both sides read one snapshot of one database (PairFacts). */
  readonly sharedSnapshot: boolean;
  readonly checksumTuning: SplitTuning | undefined;
  readonly keys: RunKeys;
  readonly signal: AbortSignal | undefined;
  readonly suspectsInMemory: number;
  readonly mismatchesInMemory: number | undefined;
  readonly onMismatches: AuditOptions['onMismatches'];
  readonly keysPerRead: number;
  readonly onProgress: AuditOptions['onProgress'];
}

interface EntityContext extends RunContext {
  readonly tables: EntityTables;
  readonly columns: ReadonlyMap<string, ColumnInfo>;
  readonly keyFacts: KeyFacts;
}

function keyFacts(entity: WritableEntity, source: SchemaCatalog, mirror: SchemaCatalog): KeyFacts {
  const key = entity.source.key;
  const mirrorTable = mirror.tables.get(entity.mirror.table);
  const externalId = entity.mirror.externalId;
  return {
    sourceKeyUnique:
      key.kind === 'column' &&
      (source.tables.get(entity.source.table)?.uniqueColumns.has(key.column) ?? false),
    mirrorKeyUnique: mirrorTable?.uniqueColumns.has(externalId) ?? false,
    mirrorKeyIsText: /^(text|character varying)$/.test(
      mirrorTable?.columns.get(externalId)?.type ?? '',
    ),
  };
}

/**
 * One writable entity: both sides' summaries merged, then the suspects read in full and classified.
 */
async function auditEntity(
  entity: WritableEntity,
  sides: AuditSides,
  readers: DetailReaders,
  ctx: EntityContext,
): Promise<EntityAudit> {
  const plan = await comparePlan(ctx.tables, sides, ctx.columns);
  const suspects = spillingSuspects(ctx.suspectsInMemory);
  const progress = (phase: 'summary' | 'details', total: number | null) => (rows: number) =>
    ctx.onProgress?.({ entity: entity.name, phase, rows, total, done: false });
  // Read once, for progress or for the method's choice, whichever asks first.
  let sourceEstimate: Promise<number | null> | undefined;
  const readSourceEstimate = () =>
    (sourceEstimate ??= readRowEstimate(sides.source.trx, ctx.tables.source));
  const estimate = ctx.onProgress ? await readSourceEstimate() : null;
  progress('summary', estimate)(0);
  try {
    const { method, summary, why } = await summariseEntity({
      tables: ctx.tables,
      sides,
      plan,
      choice: await entityMethod(sides, plan.opaque, ctx, readSourceEstimate),
      keys: ctx.keys,
      keyFacts: ctx.keyFacts,
      suspects,
      suspectsInMemory: ctx.suspectsInMemory,
      tuning: ctx.checksumTuning,
      signal: ctx.signal,
      onRows: progress('summary', estimate),
    });
    const counts = emptyCounts();
    counts.ok = summary.clean;
    // Suspects are read in the snapshot their summary came from: a join saw the source through the
    // mirror's transaction, which the source's shares when it could import it (then both sides'
    // rows are read at once, on both sessions).
    const detailReaders =
      method === 'join' && !ctx.sharedSnapshot
        ? { ...readers, sides: { ...sides, source: sides.mirror } }
        : readers;
    const spool =
      !ctx.onMismatches && ctx.mismatchesInMemory !== undefined
        ? spillingMismatches(ctx.mismatchesInMemory)
        : undefined;
    const onMismatches = spool
      ? async (batch: readonly Mismatch[]) => spool.add(batch)
      : ctx.onMismatches && ((batch: readonly Mismatch[]) => ctx.onMismatches!(entity.name, batch));
    const { mismatches, oldestUnsyncedAt } = await classifySuspects(
      ctx.tables,
      summary.suspects,
      ctx,
      detailReaders,
      {
        counts,
        onMismatches,
        keysPerRead: ctx.keysPerRead,
        onRead: progress('details', summary.suspects.size),
      },
    );
    return {
      name: entity.name,
      method,
      methodChoice: why,
      keysReadInFull: summary.suspects.size,
      readOnly: false,
      mirrorTable: entity.mirror.table,
      sourceRows: summary.sourceRows,
      mirrorRows: summary.mirrorRows,
      unsyncedRows: summary.unsyncedRows,
      oldestUnsyncedAgeSeconds: ageSeconds(ctx.now, oldestUnsyncedAt),
      sourceRowsWithoutKey: summary.sourceRowsWithoutKey,
      counts,
      mismatches: spool ? spool.finish() : mismatches,
    };
  } finally {
    suspects.close();
  }
}

/** The entity's method; its tables' sizes are read only when the choice needs them. */
async function entityMethod(
  sides: AuditSides,
  opaque: readonly string[],
  ctx: EntityContext,
  sourceEstimate: () => Promise<number | null>,
): Promise<MethodChoice> {
  const facts = { everyKey: ctx.everyKey, opaque };
  const choice = chooseMethod(ctx.method, facts);
  if (choice !== 'measure size') return choice;
  const [sourceRows, mirrorRows] = await Promise.all([
    sourceEstimate(),
    readRowEstimate(sides.mirror.trx, ctx.tables.mirror),
  ]);
  return chooseMethod(ctx.method, { ...facts, sizes: { sourceRows, mirrorRows } });
}

/**
 * Read-only entities: Connect fills them from Salesforce, so there is nothing
 * to compare, only rows to count. Sharded, the first shard counts them all and
 * the others none, so that the shards add up.
 */
async function countMirror(
  mirror: MirrorTable,
  trx: Transaction<any>,
  { keys: { shard }, hasTriggerLog, now }: RunContext,
): Promise<EntityAudit> {
  const { entity } = mirror;
  const counted =
    shard && shard.index > 1
      ? { rows: 0, unsynced: 0, oldestUnsyncedAt: null }
      : await countMirrorRows(trx, mirror, hasTriggerLog);
  return {
    name: entity.name,
    method: 'count',
    methodChoice: null,
    keysReadInFull: 0,
    readOnly: entity.readOnly,
    mirrorTable: entity.mirror.table,
    sourceRows: null,
    mirrorRows: counted.rows,
    unsyncedRows: counted.unsynced,
    oldestUnsyncedAgeSeconds: ageSeconds(now, counted.oldestUnsyncedAt),
    sourceRowsWithoutKey: 0,
    counts: emptyCounts(),
    mismatches: [],
  };
}

/** Seconds since the longest-waiting unsynced row's newest log entry, by the mirror's clock. */
function ageSeconds(now: Date, at: number | null): number | null {
  return at === null ? null : Math.max(0, Math.floor((now.getTime() - at) / 1000));
}

/** The audit cannot be trusted against tables that do not match the config: say what to fix. */
/** Refuses databases that do not match the config, before anything is read (why reuses it). */
export function assertMatchesConfig(
  entities: readonly Entity[],
  source: SchemaCatalog,
  mirror: SchemaCatalog,
): void {
  const problems = [
    ...diagnoseSource(entities, source),
    ...diagnoseMirror(entities, mirror),
  ].filter((f) => f.level === 'error' && f.code !== 'xmlbinary_not_captured');
  if (problems.length === 0) return;
  const lines = problems.map(
    (f) => `  - ${f.database}${f.entity ? ` (${f.entity})` : ''}: ${f.message}`,
  );
  throw new DatabaseError(
    [
      'the databases do not match the config (run `sfsync doctor` for the full report):',
      ...lines,
    ].join('\n'),
  );
}

function summarise(
  startedAt: Date,
  order: readonly string[],
  entities: readonly EntityAudit[],
  bytesRead: number,
  shard: Shard | undefined,
): AuditResult {
  return {
    startedAt,
    finishedAt: new Date(),
    order,
    entities,
    totals: auditTotals(entities),
    bytesRead,
    ...(shard ? { shard } : {}),
  };
}
