import type { Transaction } from 'kysely';
import type { WritableEntity } from '../config/types.js';
import type { Mismatch, MirrorRow, ParentReadiness, RowClass, SourceRow } from '../core/audit-types.js';
import { classifyKey, classifyOrphan, type ClassifyContext } from '../core/classify.js';
import type { Entity } from '../core/entity.js';
import type { Suspect } from '../core/key-summary.js';
import { mirrorRowMapper, mirrorRowsQuery, readReadiness, readTriggerLog } from '../db/read-mirror.js';
import { sourceRowMapper, sourceRowsByKeyQuery } from '../db/source-query.js';

/** Where the suspects' rows are read: both transactions of the audit (one, when both schemas share a database). */
export interface DetailReaders {
  readonly sourceTrx: Transaction<any>;
  readonly mirrorTrx: Transaction<any>;
  readonly sourceSchema: string;
  readonly mirrorSchema: string;
  readonly hasTriggerLog: boolean;
  /** Every entity of the config by name (parents are looked up by it). */
  readonly entities: ReadonlyMap<string, Entity>;
  readonly signal: AbortSignal | undefined;
}

export interface Classified {
  readonly counts: Record<RowClass, number>;
  readonly mismatches: Mismatch[];
  /** Newest log entry time of the longest-waiting row without an sfid (ms), among the rows read. */
  readonly oldestUnsyncedAt: number | null;
}

const KEYS_PER_READ = 5_000;

/**
 * Reads the suspect keys' rows in full, batch by batch, and classifies each key
 * exactly as a row-by-row audit would: classifyKey with the key's source rows,
 * its mirror rows with their trigger-log entries, and the readiness of the
 * parents it names. Keys arrive in key order; mismatches keep it.
 */
export async function classifySuspects(
  entity: WritableEntity,
  suspects: readonly Suspect[],
  ctx: Omit<ClassifyContext, 'entity' | 'parentStates' | 'deferredStates'>,
  readers: DetailReaders,
  counts: Record<RowClass, number>,
): Promise<Classified> {
  const mismatches: Mismatch[] = [];
  let oldestUnsyncedAt: number | null = null;
  const toSourceRow = sourceRowMapper(entity);
  for (let start = 0; start < suspects.length; start += KEYS_PER_READ) {
    readers.signal?.throwIfAborted();
    const batch = suspects.slice(start, start + KEYS_PER_READ);
    // Each side is asked only for keys it has: a mirror's key need not even parse as the source key's type.
    const inSource = batch.filter((s) => s.sourceRows > 0).map((s) => s.key);
    const inMirror = batch.filter((s) => s.mirrorRows > 0).map((s) => s.key);
    const wanted = new Set(inSource);
    const sourceByKey = new Map<string, { first: SourceRow; count: number }>();
    const { rows: sourceRows } =
      inSource.length === 0 ? { rows: [] } : await sourceRowsByKeyQuery(entity, readers.sourceSchema, inSource).execute(readers.sourceTrx);
    for (const raw of sourceRows) {
      const row = toSourceRow(raw);
      // A key column of a loosely matching type (citext) may bring rows of other keys.
      if (!row || !wanted.has(row.key)) continue;
      const group = sourceByKey.get(row.key);
      if (group) group.count++;
      else sourceByKey.set(row.key, { first: row, count: 1 });
    }
    const mirrorByKey = await readMirrorRows(entity, inMirror, readers);
    for (const rows of mirrorByKey.values()) {
      for (const row of rows) {
        const at = row.sfid === null ? row.log?.createdAt?.getTime() : undefined;
        if (at !== undefined && (oldestUnsyncedAt === null || at < oldestUnsyncedAt)) oldestUnsyncedAt = at;
      }
    }
    const states = await readParentStates(
      entity,
      [...sourceByKey.values()].map((g) => g.first),
      readers,
    );
    const context: ClassifyContext = { ...ctx, entity, parentStates: states, deferredStates: states };
    for (const { key } of batch) {
      const source = sourceByKey.get(key);
      const mirror = mirrorByKey.get(key) ?? [];
      const result = source
        ? classifyKey(context, source.first, mirror, source.count)
        : { class: 'orphan' as const, mismatch: classifyOrphan(key, mirror, entity.source.where !== undefined) };
      counts[result.class]++;
      if (result.mismatch) mismatches.push(result.mismatch);
    }
  }
  return { counts, mismatches, oldestUnsyncedAt };
}

async function readMirrorRows(entity: Entity, keys: readonly string[], readers: DetailReaders): Promise<Map<string, MirrorRow[]>> {
  if (keys.length === 0) return new Map();
  const { rows: matching } = await mirrorRowsQuery(entity, readers.mirrorSchema, keys).execute(readers.mirrorTrx);
  const needLog = matching.filter((row) => row.sfid === null || row.lastop === 'FAILED').map((row) => Number(row.id));
  const log = readers.hasTriggerLog ? await readTriggerLog(readers.mirrorTrx, readers.mirrorSchema, entity, needLog) : new Map();
  const toMirrorRow = mirrorRowMapper(entity, log);
  const byKey = new Map<string, MirrorRow[]>();
  for (const raw of matching) {
    const row = toMirrorRow(raw);
    const group = byKey.get(row.key);
    if (group) group.push(row);
    else byKey.set(row.key, [row]);
  }
  return byKey;
}

/** The readiness of every parent these source rows name, by parent entity (a key left out is absent). */
async function readParentStates(
  entity: WritableEntity,
  rows: readonly SourceRow[],
  readers: DetailReaders,
): Promise<Map<string, ReadonlyMap<string, ParentReadiness>>> {
  const keysByParent = new Map<string, Set<string>>();
  for (const link of entity.parents) {
    const keys = keysByParent.get(link.entity) ?? new Set<string>();
    keysByParent.set(link.entity, keys);
    for (const row of rows) {
      const key = row.parents[link.lookup];
      if (key !== null && key !== undefined) keys.add(key);
    }
  }
  const states = new Map<string, ReadonlyMap<string, ParentReadiness>>();
  for (const [name, keys] of keysByParent) {
    states.set(name, await readReadiness(readers.mirrorTrx, readers.mirrorSchema, readers.entities.get(name)!, [...keys]));
  }
  return states;
}
