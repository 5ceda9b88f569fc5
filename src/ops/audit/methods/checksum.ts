import { addCounts, emptySummary, type KeySummary } from '../../../core/methods/key-summary.js';
import {
  decideStream,
  differingSegments,
  FANOUT,
  firstSplit,
  inStreamed,
  modulus,
  type SegmentSums,
} from '../../../core/methods/segments.js';
import {
  estimatedRows,
  mirrorKeysToRead,
  mirrorSegmentSums,
  segmentFilter,
  sourceDuplicateKeys,
  sourceSegmentSums,
  type KeyToRead,
  type SegmentScope,
} from '../../../db/audit/checksum-query.js';
import { bothFilters } from '../../../db/audit/shard-filter.js';
import type { MethodJob, MethodReader } from './method.js';
import { streamKeys } from './stream.js';

/**
 * The checksum method (the data-diff approach): each database counts and sums
 * its rows' hashes per segment of the key space; segments that agree hold the
 * same rows and cost a few bytes, the others are split finer (core/methods/segments.ts
 * decides when that pays) and finally streamed as the stream method streams
 * everything. Rows without an sfid, FAILED rows and duplicated keys are read in
 * full wherever they are. The result is the stream method's, key for key. An entity whose
 * every key is read in full is streamed instead (core/methods/method-choice.ts).
 */
export const checksumReader: MethodReader = { summarise: checksumKeys };

async function checksumKeys(job: MethodJob): Promise<KeySummary> {
  const { tables, sides, plan, keys, tuning, signal } = job;
  const { source, mirror, digest } = sides;
  // Segments sized for the rows this shard holds, not the whole table's.
  const first = firstSplit(
    (await estimatedRows(mirror.trx, tables.mirror)) / (keys.shard?.count ?? 1),
    tuning,
  );
  const summary = emptySummary(job.suspects);
  const differingByDepth: Set<number>[] = [];
  let scope: SegmentScope | undefined;
  for (let depth = 0; ; depth++) {
    signal?.throwIfAborted();
    const m = modulus(first, depth);
    const round = { plan, digest, modulus: m, scope, filter: keys.filter };
    const [sourceSums, mirrorSums] = await Promise.all([
      sourceSegmentSums(source.trx, tables.source, round),
      mirrorSegmentSums(mirror.trx, tables.mirror, round),
    ]);
    if (depth === 0) {
      const keyless = sourceSums.get(-1)?.rows ?? 0;
      summary.sourceRows += keyless;
      summary.sourceRowsWithoutKey += keyless;
    }
    const differing = differingSegments(sourceSums, mirrorSums);
    addMatched(summary, sourceSums, mirrorSums, new Set(differing));
    differingByDepth.push(new Set(differing));
    if (differing.length === 0) break;
    const segments = depth === 0 ? first : scope!.segments.length * FANOUT;
    if (decideStream(differing, sourceSums, mirrorSums, segments, depth, tuning)) {
      // Damage in every segment at the first split: stream it all, without asking each row for its
      // segment.
      const present = new Set(
        [...sourceSums.keys(), ...mirrorSums.keys()].filter((id) => id !== -1),
      );
      const everything = depth === 0 && differing.length === present.size;
      const filter = bothFilters(
        keys.filter,
        everything ? undefined : segmentFilter({ modulus: m, segments: differing }, digest),
      );
      if (everything) differingByDepth[0] = new Set(Array.from({ length: first }, (_, i) => i));
      addCounts(summary, await streamKeys(job, filter));
      break;
    }
    scope = { modulus: m, segments: differing };
  }
  // Rows read in full wherever they are: those in agreeing segments count as ok so far.
  const toRead = new Map<string, KeyToRead>();
  const [unhealthy, duplicates] = await Promise.all([
    mirrorKeysToRead(mirror.trx, tables.mirror, {
      digest,
      filter: keys.filter,
      unique: job.keyFacts.mirrorKeyUnique,
    }),
    job.keyFacts.sourceKeyUnique
      ? Promise.resolve([])
      : sourceDuplicateKeys(source.trx, tables.source, { digest, filter: keys.filter }),
  ]);
  for (const key of [...unhealthy, ...duplicates])
    if ((toRead.get(key.key)?.rows ?? 0) < key.rows) toRead.set(key.key, key);
  for (const key of toRead.values()) {
    if (inStreamed(BigInt(key.hash), first, differingByDepth)) continue;
    // In an agreeing segment each side holds the same rows: this key has as many on both.
    summary.clean -= key.rows;
    summary.suspects.add({ key: key.key, sourceRows: key.rows, mirrorRows: key.rows });
  }
  return summary;
}

/**
 * The counts of the segments both sides agree on: every row in them is ok (until read in full for
 * another reason).
 */
function addMatched(
  summary: KeySummary,
  source: SegmentSums,
  mirror: SegmentSums,
  differing: ReadonlySet<number>,
): void {
  for (const [id, s] of source) {
    if (id === -1 || differing.has(id)) continue;
    const m = mirror.get(id)!;
    summary.sourceRows += s.rows;
    summary.mirrorRows += m.rows;
    summary.unsyncedRows += m.unsynced;
    summary.clean += s.rows;
  }
}
