import type { Side, SidePair } from '../../db/audit/snapshots.js';
import type { WritableEntity } from '../../config/types.js';
import type {
  Mismatch,
  MirrorRow,
  ParentReadiness,
  RowClass,
  SourceRow,
} from '../../core/audit/types.js';
import { classifyKey, classifyOrphan, type ClassifyContext } from '../../core/audit/classify.js';
import { readAttempts } from '../../db/sfsync/attempts.js';
import { rememberingParser } from '../../core/connect/hc-error.js';
import type { Suspect, SuspectList } from '../../core/methods/key-summary.js';
import {
  mirrorRowMapper,
  mirrorRowsQuery,
  readReadiness,
  readTriggerLog,
  readUnsyncedSince,
} from '../../db/audit/read-mirror.js';
import { sourceRowMapper, sourceRowsByKeyQuery } from '../../db/audit/source-query.js';
import { readAhead } from './read-ahead.js';
import type { EntityTables, MirrorTable, SourceTable } from '../../db/entity-tables.js';

/**
 * Where the suspects' rows are read: both transactions of the audit (one, when both schemas share a
 * database).
 */
export interface DetailReaders {
  /** A join's suspects are read in the snapshot the join read (see auditEntity). */
  readonly sides: SidePair;
  /**
   * Where parents' readiness and repair's attempts are looked up in the mirror: its own session,
   * or the source's when that one shares its database and snapshot (PairFacts), so that a batch's
   * lookups run while the mirror's session reads the next batch.
   */
  readonly lookups: Side;
  readonly hasTriggerLog: boolean;
  /** Every entity's mirror table by entity name (parents are looked up by it). */
  readonly mirrors: ReadonlyMap<string, MirrorTable>;
  readonly signal: AbortSignal | undefined;
  /** Whether the mirror has sfsync.attempts, so FAILED rows that repair gave up on are known. */
  readonly hasAttempts: boolean;
}

/** Where classified keys go: each class counted, mismatches to a callback or the result. */
export interface ClassifiedInto {
  readonly counts: Record<RowClass, number>;
  readonly onMismatches?: ((batch: readonly Mismatch[]) => Promise<void>) | undefined;
  /** Suspect keys read in full at a time. */
  readonly keysPerRead?: number;
  /** Suspect keys read in full so far, for progress. */
  readonly onRead?: ((keys: number) => void) | undefined;
}

export interface Classified {
  readonly mismatches: Mismatch[];
  /** Newest log entry time of the longest-waiting row without an sfid (ms), among the rows read. */
  readonly oldestUnsyncedAt: number | null;
}

/**
 * Suspect keys read in full and classified at a time, unless the caller asks for another number.
 */
export const KEYS_PER_READ = 5_000;

/**
 * Reads the suspect keys' rows in full, batch by batch, and classifies each key
 * (adding it to `counts`) exactly as a row-by-row audit would: classifyKey with the key's source
 * rows, its mirror rows with their trigger-log entries, and the readiness of the parents it names.
 * Keys arrive in key order; mismatches keep it. With `onMismatches`, each batch's mismatches go
 * there (awaited before the next batch is read) instead of into the result.
 */
export async function classifySuspects(
  tables: EntityTables,
  suspects: SuspectList,
  ctx: Omit<ClassifyContext, 'entity' | 'parentStates' | 'deferredStates'>,
  readers: DetailReaders,
  { counts, onMismatches, onRead, keysPerRead = KEYS_PER_READ }: ClassifiedInto,
): Promise<Classified> {
  const { entity } = tables.source;
  const mismatches: Mismatch[] = [];
  let oldestUnsyncedAt: number | null = null;
  let read = 0;
  const parseError = rememberingParser();
  for await (const { batch, sourceByKey, mirrorByKey } of readAhead(
    suspects.chunks(keysPerRead),
    (batch) => readBatch(tables, batch, readers),
  )) {
    readers.signal?.throwIfAborted();
    for (const rows of mirrorByKey.values()) {
      for (const row of rows) {
        const at = row.sfid === null ? row.log?.createdAt?.getTime() : undefined;
        if (at !== undefined && (oldestUnsyncedAt === null || at < oldestUnsyncedAt))
          oldestUnsyncedAt = at;
      }
    }
    const { states, deferredSince } = await readParentStates(
      entity,
      sourceByKey,
      mirrorByKey,
      readers,
    );
    const context: ClassifyContext = {
      ...ctx,
      entity,
      parentStates: states,
      deferredStates: states,
      deferredSince,
      attempts: await readResends(entity.name, mirrorByKey, readers),
      parseError,
    };
    const found: Mismatch[] = onMismatches ? [] : mismatches;
    for (const { key } of batch) {
      const source = sourceByKey.get(key);
      const mirror = mirrorByKey.get(key) ?? [];
      const result = source
        ? classifyKey(context, source.first, mirror, source.count)
        : {
            class: 'orphan' as const,
            mismatch: classifyOrphan(key, mirror, entity.source.where !== undefined),
          };
      counts[result.class]++;
      if (result.mismatch) found.push(result.mismatch);
    }
    if (onMismatches && found.length > 0) await onMismatches(found);
    read += batch.length;
    onRead?.(read);
  }
  return { mismatches, oldestUnsyncedAt };
}

interface BatchRows {
  readonly batch: readonly Suspect[];
  readonly sourceByKey: Map<string, { first: SourceRow; count: number }>;
  readonly mirrorByKey: Map<string, MirrorRow[]>;
}

/**
 * A batch's rows on both sides. Each side is asked only for keys it has: a mirror's key need not
 * even parse as the source key's type.
 */
async function readBatch(
  tables: EntityTables,
  batch: readonly Suspect[],
  readers: DetailReaders,
): Promise<BatchRows> {
  const inSource = batch.filter((s) => s.sourceRows > 0).map((s) => s.key);
  const inMirror = batch.filter((s) => s.mirrorRows > 0).map((s) => s.key);
  const [sourceByKey, mirrorByKey] = await Promise.all([
    readSourceRows(tables.source, inSource, readers),
    readMirrorRows(tables.mirror, inMirror, readers),
  ]);
  return { batch, sourceByKey, mirrorByKey };
}

/** The first source row of each key, and how many carry it. */
async function readSourceRows(
  source: SourceTable,
  keys: readonly string[],
  readers: DetailReaders,
): Promise<Map<string, { first: SourceRow; count: number }>> {
  const byKey = new Map<string, { first: SourceRow; count: number }>();
  if (keys.length === 0) return byKey;
  const wanted = new Set(keys);
  const toSourceRow = sourceRowMapper(source.entity);
  const { rows } = await sourceRowsByKeyQuery(source, keys).execute(readers.sides.source.trx);
  for (const raw of rows) {
    const row = toSourceRow(raw);
    // A key column of a loosely matching type (citext) may bring rows of other keys.
    if (!row || !wanted.has(row.key)) continue;
    const group = byKey.get(row.key);
    if (group) group.count++;
    else byKey.set(row.key, { first: row, count: 1 });
  }
  return byKey;
}

async function readMirrorRows(
  mirror: MirrorTable,
  keys: readonly string[],
  readers: DetailReaders,
): Promise<Map<string, MirrorRow[]>> {
  if (keys.length === 0) return new Map();
  const { rows: matching } = await mirrorRowsQuery(mirror, keys).execute(readers.sides.mirror.trx);
  const needLog = matching
    .filter((row) => row.sfid === null || row.lastop === 'FAILED')
    .map((row) => Number(row.id));
  const log = readers.hasTriggerLog
    ? await readTriggerLog(readers.sides.mirror.trx, mirror, needLog)
    : new Map();
  const toMirrorRow = mirrorRowMapper(mirror.entity, log);
  const byKey = new Map<string, MirrorRow[]>();
  for (const raw of matching) {
    const row = toMirrorRow(raw);
    const group = byKey.get(row.key);
    if (group) group.push(row);
    else byKey.set(row.key, [row]);
  }
  return byKey;
}

/**
 * The readiness of the parents classification asks about, by parent entity (a
 * key left out is absent): every parent of a row Salesforce does not have yet,
 * and the deferred lookups of the others; for deferred lookups whose parent is
 * unsynced, when that parent was last written (how long it has kept them waiting).
 */
async function readParentStates(
  entity: WritableEntity,
  sources: ReadonlyMap<string, { first: SourceRow }>,
  mirrors: ReadonlyMap<string, readonly MirrorRow[]>,
  readers: DetailReaders,
): Promise<
  Pick<ClassifyContext, 'deferredSince'> & {
    states: Map<string, ReadonlyMap<string, ParentReadiness>>;
  }
> {
  const keysByParent = new Map<string, Set<string>>();
  const deferredKeys = new Map<string, Set<string>>();
  const add = (byParent: Map<string, Set<string>>, parent: string, key: string) => {
    const keys = byParent.get(parent) ?? new Set<string>();
    byParent.set(parent, keys);
    keys.add(key);
  };
  for (const [key, { first }] of sources) {
    const synced = (mirrors.get(key) ?? []).some((row) => row.sfid !== null);
    for (const link of entity.parents) {
      if (synced && !link.deferred) continue;
      const parentKey = first.parents[link.lookup];
      if (parentKey === null || parentKey === undefined) continue;
      add(keysByParent, link.entity, parentKey);
      if (link.deferred) add(deferredKeys, link.entity, parentKey);
    }
  }
  const states = new Map<string, ReadonlyMap<string, ParentReadiness>>();
  const deferredSince = new Map<string, ReadonlyMap<string, Date | null>>();
  for (const [name, keys] of keysByParent) {
    const parent = readers.mirrors.get(name)!;
    const readiness = await readReadiness(readers.lookups.trx, parent, [...keys]);
    states.set(name, readiness);
    const unsynced = [...(deferredKeys.get(name) ?? [])].filter(
      (key) => readiness.get(key) === 'unsynced',
    );
    if (readers.hasTriggerLog && unsynced.length > 0) {
      deferredSince.set(name, await readUnsyncedSince(readers.lookups.trx, parent, unsynced));
    }
  }
  return { states, deferredSince };
}

/** How often repair re-sent the FAILED rows without an sfid among these keys. */
async function readResends(
  entity: string,
  mirrorByKey: ReadonlyMap<string, readonly MirrorRow[]>,
  readers: DetailReaders,
): Promise<Map<string, number> | undefined> {
  if (!readers.hasAttempts) return undefined;
  const failed = [...mirrorByKey]
    .filter(([, rows]) => rows.some((r) => r.sfid === null && r.lastop === 'FAILED'))
    .map(([key]) => key);
  const records = await readAttempts(readers.lookups.trx, entity, failed);
  return new Map([...records].map(([key, record]) => [key, record.attempts]));
}
