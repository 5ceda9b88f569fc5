/**
 * The checksum method's bookkeeping, as plain data: the external IDs are split
 * into segments by a hash of the key (uniform whatever the keys look like, and
 * no boundaries to agree on); both sides count and sum their row hashes per
 * segment; equal segments hold the same rows, and only the rest are split
 * further or streamed.
 *
 * A segment at depth d is `keyHash mod modulus(d)`, with modulus(0) = the first
 * split and each level FANOUT times finer, so a segment's children are the
 * finer segments congruent to it.
 */
export const FANOUT = 32;

export interface SegmentSum {
  readonly rows: number;
  /** The sum of the row hashes, as exact decimal text. */
  readonly sum: string;
  /** Mirror rows without an sfid (0 on the source side). */
  readonly unsynced: number;
}

export type SegmentSums = ReadonlyMap<number, SegmentSum>;

export const modulus = (first: number, depth: number): number => first * FANOUT ** depth;

/**
 * Segments whose two sides differ (a segment only one side has differs too); rows without a key
 * (-1) are not a segment.
 */
export function differingSegments(source: SegmentSums, mirror: SegmentSums): number[] {
  const ids = new Set([...source.keys(), ...mirror.keys()]);
  ids.delete(-1);
  return [...ids].filter((id) => {
    const s = source.get(id);
    const m = mirror.get(id);
    return !s || !m || s.rows !== m.rows || s.sum !== m.sum;
  });
}

/**
 * Whether to stream the differing segments now rather than split them further.
 * Splitting pays while the differing segments are few and large: a level
 * costs a scan of each side (no rows on the wire), and a row streamed costs
 * its key and digest. Stream once they hold few rows, once most segments
 * differ (damage everywhere: splitting finds it everywhere again), or at the
 * deepest level.
 */
export function decideStream(
  differing: readonly number[],
  source: SegmentSums,
  mirror: SegmentSums,
  segments: number,
  depth: number,
  tuning: SplitTuning = DEFAULT_TUNING,
): boolean {
  const rows = differing.reduce(
    (sum, id) => sum + Math.max(source.get(id)?.rows ?? 0, mirror.get(id)?.rows ?? 0),
    0,
  );
  return rows <= tuning.streamBelowRows || differing.length > segments / 2 || depth >= MAX_DEPTH;
}

export const MAX_DEPTH = 3;

export interface SplitTuning {
  /** Rows per first-level segment the split aims at. */
  readonly rowsPerSegment: number;
  /** Differing segments holding fewer rows than this are streamed rather than split. */
  readonly streamBelowRows: number;
}

export const DEFAULT_TUNING: SplitTuning = { rowsPerSegment: 2_000, streamBelowRows: 20_000 };

export function firstSplit(estimatedRows: number, tuning: SplitTuning = DEFAULT_TUNING): number {
  return Math.min(1 << 16, Math.max(1, Math.ceil(estimatedRows / tuning.rowsPerSegment)));
}

/**
 * Whether a key hash lies in the segments finally streamed: at each depth its segment must have
 * differed.
 */
export function inStreamed(
  hash: bigint,
  first: number,
  differingByDepth: readonly ReadonlySet<number>[],
): boolean {
  return differingByDepth.every((ids, depth) =>
    ids.has(Number(hash % BigInt(modulus(first, depth)))),
  );
}

/**
 * Whether checksums pay for an entity, from what is cheap to see: on a mirror
 * that is nearly in step (row counts within 0.1%, as few rows unsynced or
 * FAILED) most segments agree and cost a few bytes; on a visibly damaged one
 * most would differ and be streamed anyway, after a scan for nothing. Drift
 * cannot be seen this cheaply; it is rare where the rest is in step.
 */
export function checksumPays(damage: {
  sourceRows: number;
  mirrorRows: number;
  unhealthy: number;
}): boolean {
  const rows = Math.max(damage.sourceRows, damage.mirrorRows);
  if (rows < MIN_ROWS_FOR_CHECKSUM) return false;
  return Math.abs(damage.sourceRows - damage.mirrorRows) + damage.unhealthy <= rows / 1000;
}

/** Below this, streaming everything costs less than a scan per side. */
export const MIN_ROWS_FOR_CHECKSUM = 50_000;
