import { ROW_CLASSES, type EntityAudit, type Mismatch, type RowClass } from './types.js';
import { compareKeys } from '../methods/key-order.js';
import { quote } from '../quote.js';
import { UsageError } from '../../errors.js';
import { auditTotals, type AuditResult } from './result.js';
import { maxOf, minOf } from '../arrays.js';

/** One shard's report, with where it came from (for the messages). */
export interface ShardReport {
  readonly file: string;
  readonly audit: AuditResult;
}

/**
 * The audit an unsharded run would have reported, from the reports of every
 * shard of one `--shard K/N` split: each key lives in exactly one shard, so
 * counts add up and each entity's mismatches, put back in key order, are the
 * unsharded list. What describes the runs rather than the rows is combined:
 * the earliest start, the latest finish, bytes added, the longest sync lag,
 * and a method that the shards did not share is `mixed`.
 */
export function mergeAudits(reports: readonly ShardReport[]): AuditResult {
  checkShards(reports);
  const first = reports[0]!.audit;
  for (const { file, audit } of reports.slice(1)) {
    if (!sameEntities(first, audit)) {
      throw new UsageError(
        `${file} audits other entities than ${reports[0]!.file} ` +
          `(${audit.order.join(', ')} vs ${first.order.join(', ')}): not shards of one audit`,
      );
    }
  }
  // sameEntities holds every report to the same entities in the same order, so the i-th of each is
  // the same one.
  const entities = first.order.map((_, i) =>
    mergeEntity(reports.map((r) => ({ file: r.file, entity: r.audit.entities[i]! }))),
  );
  const bytes = reports.map((r) => r.audit.bytesRead);
  const starts = reports.map((r) => r.audit.startedAt.getTime());
  const finishes = reports.map((r) => r.audit.finishedAt.getTime());
  return {
    startedAt: new Date(minOf(starts, Number.POSITIVE_INFINITY)),
    finishedAt: new Date(maxOf(finishes, Number.NEGATIVE_INFINITY)),
    order: first.order,
    entities,
    totals: auditTotals(entities),
    ...(bytes.every((b) => b !== undefined)
      ? { bytesRead: bytes.reduce((sum, b) => sum + b, 0) }
      : {}),
  };
}

/** Missing shards named in a message; past this many, how many more. */
const MISSING_NAMED = 5;

/** Every report a shard of the same split, each shard exactly once. */
function checkShards(reports: readonly ShardReport[]): void {
  if (reports.length === 0)
    throw new UsageError(
      'merge needs the JSON reports of every shard (sfsync audit --shard K/N --format json)',
    );
  const unsharded = reports.find((r) => !r.audit.shard);
  if (unsharded)
    throw new UsageError(
      `${unsharded.file} is not the report of a sharded audit ` +
        '(sfsync audit --shard K/N --format json)',
    );
  const count = reports[0]!.audit.shard!.count;
  const seen = new Map<number, string>();
  for (const { file, audit } of reports) {
    const shard = audit.shard!;
    if (shard.count !== count)
      throw new UsageError(
        `${file} is shard ${shard.index}/${shard.count}, ` +
          `${reports[0]!.file} is of ${count} shards: not one split`,
      );
    if (shard.index > count)
      throw new UsageError(`${file} is shard ${shard.index}/${count}: there is no such shard`);
    const earlier = seen.get(shard.index);
    if (earlier)
      throw new UsageError(`shard ${shard.index}/${count} is given twice (${earlier} and ${file})`);
    seen.set(shard.index, file);
  }
  // Each shard seen once and none past the count: what is missing is count - seen, listed without a
  // list as long as the count.
  const missing = count - seen.size;
  if (missing === 0) return;
  const named: string[] = [];
  for (let index = 1; index <= count && named.length < MISSING_NAMED; index++)
    if (!seen.has(index)) named.push(`${index}/${count}`);
  const more = missing > named.length ? ` and ${missing - named.length} more` : '';
  throw new UsageError(
    `shard${missing > 1 ? 's' : ''} ${named.join(', ')}${more} missing: ` +
      'the merge of a part is not the audit',
  );
}

function sameEntities(a: AuditResult, b: AuditResult): boolean {
  const shape = (r: AuditResult) =>
    JSON.stringify(r.entities.map((e) => [e.name, e.readOnly, e.mirrorTable]));
  return JSON.stringify(a.order) === JSON.stringify(b.order) && shape(a) === shape(b);
}

/** One entity's parts, each with the report it came from. */
interface EntityPart {
  readonly file: string;
  readonly entity: EntityAudit;
}

function mergeEntity(parts: readonly EntityPart[]): EntityAudit {
  const audits = parts.map((p) => p.entity);
  const [first] = audits as [EntityAudit, ...EntityAudit[]];
  const sum = (pick: (e: EntityAudit) => number) => audits.reduce((total, e) => total + pick(e), 0);
  const counts = Object.fromEntries(
    ROW_CLASSES.map((cls) => [cls, sum((e) => e.counts[cls])]),
  ) as Record<RowClass, number>;
  const lags = audits
    .map((e) => e.oldestUnsyncedAgeSeconds)
    .filter((lag): lag is number => lag !== null);
  const methods = new Set(audits.map((e) => e.method));
  return {
    name: first.name,
    method: methods.size === 1 ? first.method : 'mixed',
    // Each shard chose for its own keys: one reason for the whole only when every shard gave it.
    methodChoice: sameForAll(audits.map((e) => e.methodChoice)),
    keysReadInFull: sum((e) => e.keysReadInFull),
    readOnly: first.readOnly,
    mirrorTable: first.mirrorTable,
    sourceRows: first.sourceRows === null ? null : sum((e) => e.sourceRows ?? 0),
    mirrorRows: sum((e) => e.mirrorRows),
    unsyncedRows: sum((e) => e.unsyncedRows),
    oldestUnsyncedAgeSeconds: lags.length > 0 ? maxOf(lags, 0) : null,
    sourceRowsWithoutKey: sum((e) => e.sourceRowsWithoutKey),
    counts,
    mismatches: mergeMismatches(first.name, parts),
  };
}

/**
 * Every part's mismatches in key order; a key belongs to one shard, so one listed by two is
 * refused.
 */
function mergeMismatches(entity: string, parts: readonly EntityPart[]): Mismatch[] {
  const all = parts.flatMap(({ file, entity: e }) =>
    Array.from(e.mismatches, (mismatch) => ({ file, mismatch })),
  );
  all.sort((a, b) => compareKeys(a.mismatch.key, b.mismatch.key));
  for (let i = 1; i < all.length; i++) {
    const [before, after] = [all[i - 1]!, all[i]!];
    if (before.mismatch.key === after.mismatch.key)
      throw new UsageError(
        `${before.file} and ${after.file} both list key ` +
          `${quote(after.mismatch.key.slice(0, 200))} of ${entity}: ` +
          'each key belongs to one shard, so these are not shards of one audit',
      );
  }
  return all.map((m) => m.mismatch);
}

/** The value every part has (compared as JSON), or null when they differ. */
function sameForAll<T>(values: readonly (T | null)[]): T | null {
  const [first = null] = values;
  const text = JSON.stringify(first);
  return values.every((v) => JSON.stringify(v) === text) ? first : null;
}
