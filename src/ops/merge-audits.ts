import type { EntityAudit, RowClass } from '../core/audit-types.js';
import { compareKeys } from '../core/key-order.js';
import { UsageError } from '../errors.js';
import { auditTotals, type AuditResult } from './audit.js';
import { maxOf, minOf } from '../core/arrays.js';

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
        `${file} audits other entities than ${reports[0]!.file} (${audit.order.join(', ')} vs ${first.order.join(', ')}): not shards of one audit`,
      );
    }
  }
  const entities = first.order.map((name) => mergeEntity(reports.map((r) => r.audit.entities.find((e) => e.name === name)!)));
  const bytes = reports.map((r) => r.audit.bytesRead);
  const starts = reports.map((r) => r.audit.startedAt.getTime());
  const finishes = reports.map((r) => r.audit.finishedAt.getTime());
  return {
    startedAt: new Date(minOf(starts, Number.POSITIVE_INFINITY)),
    finishedAt: new Date(maxOf(finishes, Number.NEGATIVE_INFINITY)),
    order: first.order,
    entities,
    totals: auditTotals(entities),
    ...(bytes.every((b) => b !== undefined) ? { bytesRead: bytes.reduce((sum, b) => sum + b, 0) } : {}),
  };
}

/** Every report a shard of the same split, each shard exactly once. */
function checkShards(reports: readonly ShardReport[]): void {
  if (reports.length === 0) throw new UsageError('merge needs the JSON reports of every shard (sfsync audit --shard K/N --format json)');
  const unsharded = reports.find((r) => !r.audit.shard);
  if (unsharded) throw new UsageError(`${unsharded.file} is not the report of a sharded audit (sfsync audit --shard K/N --format json)`);
  const count = reports[0]!.audit.shard!.count;
  const seen = new Map<number, string>();
  for (const { file, audit } of reports) {
    const shard = audit.shard!;
    if (shard.count !== count) throw new UsageError(`${file} is shard ${shard.index}/${shard.count}, ${reports[0]!.file} is of ${count} shards: not one split`);
    const earlier = seen.get(shard.index);
    if (earlier) throw new UsageError(`shard ${shard.index}/${count} is given twice (${earlier} and ${file})`);
    seen.set(shard.index, file);
  }
  const missing = Array.from({ length: count }, (_, i) => i + 1).filter((index) => !seen.has(index));
  if (missing.length > 0)
    throw new UsageError(
      `shard${missing.length > 1 ? 's' : ''} ${missing.map((i) => `${i}/${count}`).join(', ')} missing: the merge of a part is not the audit`,
    );
}

function sameEntities(a: AuditResult, b: AuditResult): boolean {
  const shape = (r: AuditResult) => JSON.stringify(r.entities.map((e) => [e.name, e.readOnly, e.mirrorTable]));
  return JSON.stringify(a.order) === JSON.stringify(b.order) && shape(a) === shape(b);
}

function mergeEntity(parts: readonly EntityAudit[]): EntityAudit {
  const [first] = parts as [EntityAudit, ...EntityAudit[]];
  const sum = (pick: (e: EntityAudit) => number) => parts.reduce((total, e) => total + pick(e), 0);
  const counts = Object.fromEntries(Object.keys(first.counts).map((cls) => [cls, sum((e) => e.counts[cls as RowClass])])) as Record<RowClass, number>;
  const lags = parts.map((e) => e.oldestUnsyncedAgeSeconds).filter((lag): lag is number => lag !== null);
  const methods = new Set(parts.map((e) => e.method));
  return {
    name: first.name,
    method: methods.size === 1 ? first.method : 'mixed',
    keysReadInFull: sum((e) => e.keysReadInFull),
    readOnly: first.readOnly,
    mirrorTable: first.mirrorTable,
    sourceRows: first.sourceRows === null ? null : sum((e) => e.sourceRows ?? 0),
    mirrorRows: sum((e) => e.mirrorRows),
    unsyncedRows: sum((e) => e.unsyncedRows),
    oldestUnsyncedAgeSeconds: lags.length > 0 ? maxOf(lags, 0) : null,
    sourceRowsWithoutKey: sum((e) => e.sourceRowsWithoutKey),
    counts,
    mismatches: parts.flatMap((e) => e.mismatches).sort((a, b) => compareKeys(a.key, b.key)),
  };
}
