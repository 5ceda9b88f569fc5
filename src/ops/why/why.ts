import type { Entity, RunConfig, WritableEntity } from '../../config/types.js';
import type { MirrorRow } from '../../core/audit/types.js';
import type { AttemptRecord } from '../../core/repair/attempts.js';
import { storyAttempts } from '../../core/why/attempts.js';
import { TRIGGER_LOG_TABLES } from '../../core/connect/heroku-connect.js';
import { withAncestors } from '../../core/entities/graph.js';
import { assertMatchesConfig } from '../audit/audit.js';
import { didYouMean } from '../../core/suggest.js';
import { buildParentChain, type ChainLink, recordId } from '../../core/why/parent-chain.js';
import type { RecordStory, StoryMirrorRow } from '../../core/why/story.js';
import { newestEntries, unsyncedSince } from '../../core/why/trigger-log.js';
import { judgeRecord } from '../../core/why/verdict.js';
import { mirrorRowMapper } from '../../db/audit/read-mirror.js';
import { withSnapshotPairs } from '../../db/audit/snapshots.js';
import type { QueryObserver, SessionTimeouts } from '../../db/driver/connect.js';
import { serverNow } from '../../db/driver/server-facts.js';
import { attemptsReadable, readAttempts } from '../../db/sfsync/attempts.js';
import { readJournalActions } from '../../db/why/journal.js';
import { mirrorRecordQuery, readSourceRecord } from '../../db/why/record-rows.js';
import { readLogEntries, type LogTable } from '../../db/why/trigger-log.js';
import { UsageError } from '../../errors.js';
import { openDatabases, type Databases } from '../databases.js';
import { readParentRecords, type ReadParent, type WhyTransactions } from './parent-records.js';

export interface WhyOptions {
  readonly entity: string;
  /** The external ID, as text. */
  readonly key: string;
  /** Unsynced rows older than this are `stuck`, as for the audit. */
  readonly staleMs: number;
  readonly timeouts?: SessionTimeouts | undefined;
  readonly onQuery?: QueryObserver | undefined;
}

/** The configured entity of this name; a usage error naming the nearest one otherwise. */
export function whyEntity(config: Pick<RunConfig, 'entities'>, name: string): Entity {
  const entity = config.entities.find((e) => e.name === name);
  if (entity) return entity;
  const names = config.entities.map((e) => e.name);
  throw new UsageError(`no entity ${name} in the config${didYouMean(name, names)}`);
}

/**
 * The whole story of one record: its source row, its mirror rows, their trigger-log entries, the
 * audit's class for the key and what repair would do, sfsync's journal of it, and its parents up
 * to the roots. Reads only, in one READ ONLY snapshot per database, every statement by key.
 */
export async function explainRecord(config: RunConfig, options: WhyOptions): Promise<RecordStory> {
  const entity = whyEntity(config, options.entity);
  if (options.key.trim() === '')
    throw new UsageError('KEY is empty: give the external ID of the record, as text');
  const dbs = await openDatabases(config, {
    maxConnections: 1,
    purposes: { source: 'why', mirror: 'why' },
    timeouts: options.timeouts,
    onQuery: options.onQuery,
  });
  try {
    const inScope = new Set(withAncestors(config.graph, [entity.name]));
    assertMatchesConfig(
      config.entities.filter((e) => inScope.has(e.name)),
      dbs.sourceCatalog,
      dbs.mirrorCatalog,
    );
    return await withSnapshotPairs(dbs.source, dbs.mirror, 1, ([pair]) =>
      readStory(config, dbs, entity, options, {
        source: pair!.source.trx,
        mirror: pair!.mirror.trx,
      }),
    );
  } finally {
    await dbs.close();
  }
}

async function readStory(
  config: RunConfig,
  dbs: Databases,
  entity: Entity,
  options: WhyOptions,
  trx: WhyTransactions,
): Promise<RecordStory> {
  const { key } = options;
  const { tables, mirrorCatalog } = dbs;
  const mirror = tables.mirrors.get(entity.name)!;
  const logTables = TRIGGER_LOG_TABLES.filter((t) => mirrorCatalog.tables.has(t)) as LogTable[];
  // As the audit: a row's age is known only where Connect's whole log is.
  const hasTriggerLog = logTables.length === TRIGGER_LOG_TABLES.length;
  const modstamp = mirrorCatalog.tables.get(entity.mirror.table)!.columns.has('systemmodstamp');
  const now = await serverNow(trx.mirror);

  const source = entity.readOnly
    ? null
    : await readSourceRecord(trx.source, tables.writable.get(entity.name)!.source, key);
  const { rows: raw } = await mirrorRecordQuery(mirror, key, modstamp).execute(trx.mirror);
  const ids = raw.map((r) => Number(r.id));
  const entries = await readLogEntries(trx.mirror, mirror, ids, logTables);
  const basic = raw.map((r) => ({
    id: Number(r.id),
    sfid: (r.sfid as string | null) ?? null,
    lastop: (r.lastop as string | null) ?? null,
  }));
  const toRow = mirrorRowMapper(entity, hasTriggerLog ? newestEntries(basic, entries) : new Map());
  const rows: StoryMirrorRow[] = raw.map((r) => ({
    ...toRow(r),
    systemmodstamp: (r.systemmodstamp as Date | null) ?? null,
  }));

  const entities = new Map(config.entities.map((e) => [e.name, e]));
  const parentKeys = source?.row.parents ?? rows[0]?.lookups ?? null;
  const records = await readParentRecords(trx, tables, entities, { entity, parentKeys });
  const parents = buildParentChain(entity, key, parentKeys, entities, records);
  const journal = await readJournalActions(trx.mirror, entity.name, key);
  const story = {
    entity: entity.name,
    key,
    readOnly: entity.readOnly,
    sourceTable: entity.readOnly ? null : entity.source.table,
    mirrorTable: entity.mirror.table,
    source,
    mirror: rows,
    triggerLog: logTables.length > 0 ? entries : null,
    journal,
    parents,
    attempts: null,
    readAt: now,
  } as const;
  if (entity.readOnly) return { ...story, verdict: null };
  const record = await attemptRecord(trx, entity, key);
  const verdict = judgeRecord({
    entity,
    key,
    source,
    mirror: rows,
    parents,
    deferredSince: hasTriggerLog
      ? await deferredSince(trx, dbs, parents, records, logTables)
      : new Map(),
    columns: mirrorCatalog.tables.get(entity.mirror.table)!.columns,
    now,
    staleMs: options.staleMs,
    hasTriggerLog,
    policies: config.repair.policies,
    attempts: resends(record, key, rows),
    maxAttempts: config.repair.attempts.maxAttempts,
    readOnly: new Set(config.entities.filter((e) => e.readOnly).map((e) => e.name)),
  });
  const sourceChanged = verdict?.class === 'failed' && verdict.fields.length > 0;
  const landed = rows.some((row) => row.sfid !== null);
  const attempts = storyAttempts(record, config.repair.attempts, sourceChanged, landed);
  return { ...story, verdict, attempts };
}

/**
 * For each deferred lookup whose parent has no sfid: when that parent was last written, which is
 * how long it has kept the lookup waiting (the audit's readUnsyncedSince, from the same log read).
 */
async function deferredSince(
  trx: WhyTransactions,
  dbs: Databases,
  links: readonly ChainLink[],
  records: ReadonlyMap<string, ReadParent>,
  logTables: readonly LogTable[],
): Promise<Map<string, ReadonlyMap<string, Date | null>>> {
  const since = new Map<string, Map<string, Date | null>>();
  for (const link of links) {
    if (!link.deferred || link.key === null || link.state !== 'unsynced') continue;
    const parent = records.get(recordId(link.entity, link.key));
    const rows = parent?.mirrorRows ?? [];
    const unsynced = rows.filter((row) => row.sfid === null).map((row) => row.id);
    const mirror = dbs.tables.mirrors.get(link.entity)!;
    const entries = await readLogEntries(trx.mirror, mirror, unsynced, logTables);
    const at = unsyncedSince(rows, entries);
    if (at === undefined) continue;
    const byKey = since.get(link.entity) ?? new Map<string, Date | null>();
    since.set(link.entity, byKey);
    byKey.set(link.key, at);
  }
  return since;
}

/** What sfsync.attempts holds of this key: null when nothing, undefined when unreadable. */
async function attemptRecord(
  trx: WhyTransactions,
  entity: WritableEntity,
  key: string,
): Promise<AttemptRecord | null | undefined> {
  if (!(await attemptsReadable(trx.mirror))) return undefined;
  return (await readAttempts(trx.mirror, entity.name, [key])).get(key) ?? null;
}

/** How often repair re-sent this key's FAILED row, as the audit reads it (for gave_up). */
function resends(
  record: AttemptRecord | null | undefined,
  key: string,
  rows: readonly MirrorRow[],
): Map<string, number> | undefined {
  if (record === undefined) return undefined;
  if (!record || !rows.some((r) => r.sfid === null && r.lastop === 'FAILED')) return new Map();
  return new Map([[key, record.attempts]]);
}
