import {
  damageRate,
  estimateCosts,
  type CostEstimate,
} from '../../../core/methods/checksum-costs.js';
import { addCounts, emptySummary, type KeySummary } from '../../../core/methods/key-summary.js';
import {
  compareFingerprints,
  decideSplit,
  DEFAULT_TUNING,
  firstModulus,
  inStreamed,
  nextModulus,
  sampleScope,
  SAMPLE_SEGMENT_ROWS,
  type RoundTotals,
  type SplitTuning,
} from '../../../core/methods/segments.js';
import {
  mirrorKeysToRead,
  mirrorRound,
  segmentFilter,
  sourceDuplicateKeys,
  sourceRound,
  type KeyToRead,
  type SegmentRead,
  type SegmentScope,
} from '../../../db/audit/checksum-query.js';
import { bothFilters } from '../../../db/audit/shard-filter.js';
import { readRowEstimate } from '../../../db/catalog/read-structure.js';
import type { MethodJob, MethodReader } from './method.js';
import { streamKeys } from './stream.js';

/**
 * The checksum method (after data-diff, with the split sized by a cost model): a sample of small
 * segments estimates how many rows differ; the first round then fingerprints segments of the size
 * that costs least at that damage (2,000 rows on a healthy mirror, about 34 at 0.1%), and
 * segments that differ are split again while that pays (core/methods/segments.ts), then streamed
 * as the stream method streams everything. Rows without an sfid, FAILED rows and duplicated keys
 * are read in full wherever they are. The result is the stream method's, key for key.
 */
export const checksumReader: MethodReader = { summarise: checksumKeys };

async function checksumKeys(job: MethodJob): Promise<KeySummary> {
  const { tables, sides, keys, signal } = job;
  const tuning = job.tuning ?? DEFAULT_TUNING;
  // Segments sized for the rows this shard holds; a table never analysed counts as empty.
  const tableRows =
    ((await readRowEstimate(sides.mirror.trx, tables.mirror)) ?? 0) / (keys.shard?.count ?? 1);
  const estimate = await sampleDamage(job, tableRows, tuning);
  if (estimate) job.onEstimate?.(estimate);
  if (estimate?.choice === 'stream' && job.choice.byEstimate) return streamKeys(job, keys.filter);

  const summary = emptySummary(job.suspects);
  const moduli: number[] = [];
  const differingByRound: Set<number>[] = [];
  let scope: SegmentScope | undefined;
  let modulus = firstModulus(tableRows, estimate?.segmentRows ?? tuning.rowsPerSegment);
  let covered: RoundTotals | undefined;
  for (let depth = 0; ; depth++) {
    signal?.throwIfAborted();
    const [source, mirror] = await readRound(job, { modulus, scope });
    if (depth === 0) {
      summary.sourceRows += source.keyless;
      summary.sourceRowsWithoutKey += source.keyless;
    }
    const totals = {
      sourceRows: source.rows,
      mirrorRows: mirror.rows,
      unsyncedRows: mirror.unsynced,
    };
    // The rows of the last round's scope that this round's scope left out agreed there.
    if (covered) addMatched(summary, covered, totals);
    covered = totals;
    const { differing, segments } = compareFingerprints(source.fingerprints, mirror.fingerprints);
    moduli.push(modulus);
    differingByRound.push(new Set(differing));
    if (differing.length === 0) break;
    const scopeRows = Math.max(source.rows, mirror.rows);
    const next = decideSplit(
      { tableRows, scopeRows, segments, differing: differing.length, depth },
      tuning,
    );
    scope = { modulus, segments: differing };
    if (next.stream) {
      const filter = bothFilters(keys.filter, segmentFilter(scope, sides.digest));
      const streamed = await streamKeys(job, filter);
      addMatched(summary, covered, streamed);
      covered = undefined;
      addCounts(summary, streamed);
      break;
    }
    modulus = nextModulus(modulus, scopeRows / Math.max(1, segments), next.rows);
  }
  if (covered) addMatched(summary, covered, { sourceRows: 0, mirrorRows: 0, unsyncedRows: 0 });
  await addUnhealthy(job, summary, moduli, differingByRound);
  return summary;
}

/**
 * The damage estimated from a sample of small segments, and both methods' costs at it; none for a
 * table too small to sample (its first round sees enough).
 */
async function sampleDamage(
  job: MethodJob,
  tableRows: number,
  tuning: SplitTuning,
): Promise<CostEstimate | undefined> {
  const sample = sampleScope(tableRows, tuning);
  if (!sample) return undefined;
  const [source, mirror] = await readRound(job, { modulus: sample.modulus, scope: sample });
  const { differing, segments } = compareFingerprints(source.fingerprints, mirror.fingerprints);
  const sampledRows = Math.max(source.rows, mirror.rows);
  const perSegment = sampledRows / Math.max(1, segments) || SAMPLE_SEGMENT_ROWS;
  return estimateCosts(damageRate(differing.length, segments, perSegment), {
    sampledRows,
    largestSegment: tuning.rowsPerSegment,
    tableRows,
  });
}

function readRound(
  { tables, sides, plan, keys }: MethodJob,
  round: Pick<SegmentRead, 'modulus' | 'scope'>,
) {
  const read = { ...round, plan, digest: sides.digest, filter: keys.filter };
  return Promise.all([
    sourceRound(sides.source.trx, tables.source, read),
    mirrorRound(sides.mirror.trx, tables.mirror, read),
  ]);
}

/**
 * Rows read in full wherever they are (no sfid, FAILED, a key on several rows): those in segments
 * that agreed count as ok so far, and become suspects.
 */
async function addUnhealthy(
  { tables, sides, keys, keyFacts }: MethodJob,
  summary: KeySummary,
  moduli: readonly number[],
  differingByRound: readonly ReadonlySet<number>[],
): Promise<void> {
  const { digest } = sides;
  const toRead = new Map<string, KeyToRead>();
  const [unhealthy, duplicates] = await Promise.all([
    mirrorKeysToRead(sides.mirror.trx, tables.mirror, {
      digest,
      filter: keys.filter,
      unique: keyFacts.mirrorKeyUnique,
    }),
    keyFacts.sourceKeyUnique
      ? Promise.resolve([])
      : sourceDuplicateKeys(sides.source.trx, tables.source, { digest, filter: keys.filter }),
  ]);
  for (const key of [...unhealthy, ...duplicates])
    if ((toRead.get(key.key)?.rows ?? 0) < key.rows) toRead.set(key.key, key);
  for (const key of toRead.values()) {
    if (inStreamed(BigInt(key.hash), moduli, differingByRound)) continue;
    // In an agreeing segment each side holds the same rows: this key has as many on both.
    summary.clean -= key.rows;
    summary.suspects.add({ key: key.key, sourceRows: key.rows, mirrorRows: key.rows });
  }
}

/** The rows of `scope` that `rest` does not cover agreed: every one of them is ok so far. */
function addMatched(summary: KeySummary, scope: RoundTotals, rest: RoundTotals): void {
  summary.sourceRows += scope.sourceRows - rest.sourceRows;
  summary.mirrorRows += scope.mirrorRows - rest.mirrorRows;
  summary.unsyncedRows += scope.unsyncedRows - rest.unsyncedRows;
  summary.clean += scope.sourceRows - rest.sourceRows;
}
