import {
  bestSegmentRows,
  costPerRowAt,
  damageRate,
  MAX_ROUND_SEGMENTS,
  SCAN_BYTES_PER_ROW,
  smallestSegmentRows,
  STREAMED_ROW_BYTES,
} from './checksum-costs.js';

/**
 * The checksum method's bookkeeping, as plain data: the external IDs are split
 * into segments by a hash of the key (uniform whatever the keys look like, and
 * no boundaries to agree on); both sides count and sum their row hashes per
 * segment; equal segments hold the same rows, and only the rest are split
 * further or streamed.
 *
 * A segment of a round is `keyHash mod modulus`; each round's modulus is a
 * multiple of the one before, so a segment's children are the finer segments
 * congruent to it. How fine each round splits comes from the damage estimated
 * so far (core/methods/checksum-costs.ts).
 */

/** The rows a round's scope held: keyed rows on each side, and the mirror's without an sfid. */
export interface RoundTotals {
  readonly sourceRows: number;
  readonly mirrorRows: number;
  readonly unsyncedRows: number;
}

/**
 * One side's fingerprints: 12-byte records (a 4-byte segment id, an 8-byte hash of the segment's
 * row count and hash sum), sorted by segment id.
 */
export type Fingerprints = Uint8Array;

export const FINGERPRINT_BYTES = 12;

/**
 * The segments whose fingerprints differ or that only one side has, and how many segments the two
 * sides have in all: one merge of two sorted lists.
 */
export function compareFingerprints(
  source: Fingerprints,
  mirror: Fingerprints,
): { differing: number[]; segments: number } {
  const differing: number[] = [];
  const s = new DataView(source.buffer, source.byteOffset, source.byteLength);
  const m = new DataView(mirror.buffer, mirror.byteOffset, mirror.byteLength);
  let segments = 0;
  let i = 0;
  let j = 0;
  while (i < source.byteLength || j < mirror.byteLength) {
    const a = i < source.byteLength ? s.getUint32(i) : Infinity;
    const b = j < mirror.byteLength ? m.getUint32(j) : Infinity;
    segments++;
    if (a < b) {
      differing.push(a);
      i += FINGERPRINT_BYTES;
    } else if (b < a) {
      differing.push(b);
      j += FINGERPRINT_BYTES;
    } else {
      if (s.getBigUint64(i + 4) !== m.getBigUint64(j + 4)) differing.push(a);
      i += FINGERPRINT_BYTES;
      j += FINGERPRINT_BYTES;
    }
  }
  return { differing, segments };
}

/** What the split needs to know of the table and of the round just compared. */
export interface RoundOutcome {
  /** Rows of the whole table (this shard's share): a round scans them all for their key hash. */
  readonly tableRows: number;
  /** Keyed rows in the round's scope (the larger side). */
  readonly scopeRows: number;
  readonly segments: number;
  readonly differing: number;
  readonly depth: number;
}

/** Stream the differing segments now, or split them into segments of `rows` rows first. */
export type SplitDecision = { readonly stream: true } | { readonly stream: false; rows: number };

/**
 * Whether to stream the differing segments now or split them further, by the cost model: a split
 * pays when its fingerprints and the rows it would still stream, plus a scan of the table, cost
 * less than streaming the differing segments' rows now. Never past MAX_DEPTH, nor for fewer rows
 * than `streamBelowRows`.
 */
export function decideSplit(
  round: RoundOutcome,
  tuning: SplitTuning = DEFAULT_TUNING,
): SplitDecision {
  const rowsPerSegment = round.scopeRows / Math.max(1, round.segments);
  const rows = round.differing * rowsPerSegment;
  if (rows <= tuning.streamBelowRows || round.depth >= MAX_DEPTH || rowsPerSegment < 2)
    return { stream: true };
  // Each differing segment holds at least one damaged row: λ/(1 - e^-λ) of them on average.
  const lambda = damageRate(round.differing, round.segments, 1);
  const rate = lambda / (1 - Math.exp(-lambda)) / rowsPerSegment;
  // Split no finer than one round may fingerprint (MAX_ROUND_SEGMENTS).
  const largest = Math.floor(rowsPerSegment / 2);
  const smallest = smallestSegmentRows(rows);
  if (largest < smallest) return { stream: true };
  const child = bestSegmentRows(rate, largest, smallest);
  const split = rows * costPerRowAt(rate, child) + round.tableRows * SCAN_BYTES_PER_ROW;
  return split < rows * STREAMED_ROW_BYTES ? { stream: false, rows: child } : { stream: true };
}

export const MAX_DEPTH = 3;

export interface SplitTuning {
  /** Rows per segment of the first round when no damage is seen (or estimated). */
  readonly rowsPerSegment: number;
  /** Differing segments holding fewer rows than this are streamed rather than split. */
  readonly streamBelowRows: number;
  /** Rows the damage is sampled from, in segments of SAMPLE_SEGMENT_ROWS. */
  readonly sampleRows: number;
}

export const DEFAULT_TUNING: SplitTuning = {
  rowsPerSegment: 2_000,
  streamBelowRows: 20_000,
  sampleRows: 10_000,
};

/** Rows per segment of the sample: small, so that 0.1% damage shows in a few of them. */
export const SAMPLE_SEGMENT_ROWS = 8;

/**
 * The sample: segments `keyHash mod modulus` below `below`, about tuning.sampleRows rows in
 * all; none when the table is under five samples' worth (its first round sees enough).
 */
export function sampleScope(
  tableRows: number,
  tuning: SplitTuning = DEFAULT_TUNING,
): { modulus: number; below: number } | undefined {
  if (tableRows < 5 * tuning.sampleRows) return undefined;
  const below = Math.max(1, Math.round(tuning.sampleRows / SAMPLE_SEGMENT_ROWS));
  return { modulus: below * Math.round(tableRows / tuning.sampleRows), below };
}

/** The first round's modulus for segments of about `rows` rows (at most MAX_ROUND_SEGMENTS). */
export function firstModulus(tableRows: number, rows: number): number {
  return Math.min(MAX_ROUND_SEGMENTS, Math.max(1, Math.ceil(tableRows / Math.max(1, rows))));
}

/** The next round's modulus: the last one times a whole factor ≥ 2 towards `rows` per segment. */
export function nextModulus(last: number, rowsPerSegment: number, rows: number): number {
  return last * Math.max(2, Math.round(rowsPerSegment / Math.max(1, rows)));
}

/**
 * Whether a key hash lies in the segments finally streamed: at each round its segment must have
 * differed.
 */
export function inStreamed(
  hash: bigint,
  moduli: readonly number[],
  differingByRound: readonly ReadonlySet<number>[],
): boolean {
  return differingByRound.every((ids, round) => ids.has(Number(hash % BigInt(moduli[round]!))));
}
