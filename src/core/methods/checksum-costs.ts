/**
 * What the checksum and stream methods cost an entity, as bytes on the wire, from an estimate of
 * how many of its rows differ: the model the checksum method splits by and `auto` chooses by.
 *
 * Damage is taken as spread evenly through the key space (external IDs are UUIDs, so a failed
 * batch lands everywhere): a segment of r rows differs with probability 1 - e^(-rate·r).
 */

/**
 * Bytes one row costs streamed, both sides together: key, digest and flags in COPY BINARY. The
 * bench measures 124–128 per row for the stream method (docs/performance.md).
 */
export const STREAMED_ROW_BYTES = 128;

/**
 * Bytes one segment's fingerprint costs, both sides together: a 4-byte id and an 8-byte hash of
 * its count and sum, base64 (16 characters, and a line break every 76).
 */
export const SEGMENT_BYTES = 33;

/**
 * What one more round's scan of every row (both sides, each row's key hashed) is worth in bytes a
 * row: about 0.3 µs a row on this machine, what 3–4 bytes take over a 10 MB/s link to a hosted
 * database. A deeper split must save more than this.
 */
export const SCAN_BYTES_PER_ROW = 4;

/** Segments smaller than this cost more in fingerprints and grouping than their rows would. */
export const MIN_SEGMENT_ROWS = 4;

/**
 * The largest share of rows the checksum may expect to stream and still be chosen: each round
 * scans both sides (about 0.8 of a stream's time here) and the final stream another key-hash
 * scan, so past this its wall time drifts towards 1.5 streams.
 */
export const MAX_STREAMED_SHARE = 0.25;

/**
 * Damaged rows per row, from how many of `segments` segments of `rowsPerSegment` rows each
 * differ. All of them differing says only "at least this much": the estimate then assumes half a
 * segment agreed.
 */
export function damageRate(differing: number, segments: number, rowsPerSegment: number): number {
  if (segments <= 0 || rowsPerSegment <= 0 || differing <= 0) return 0;
  const share = Math.min(differing, segments - 0.5) / segments;
  return -Math.log(1 - share) / rowsPerSegment;
}

/** The share of rows in segments of `rows` rows that differ, at this damage rate. */
export function streamedShare(rate: number, rows: number): number {
  return 1 - Math.exp(-rate * rows);
}

/** Bytes per row of splitting into segments of `rows` rows, then streaming those that differ. */
export function bytesPerRowAt(rate: number, rows: number): number {
  return SEGMENT_BYTES / rows + streamedShare(rate, rows) * STREAMED_ROW_BYTES;
}

/**
 * The segment size (rows) that costs least at this damage rate, between MIN_SEGMENT_ROWS and
 * `largest`: fingerprints cost less the bigger the segments, streamed rows more.
 */
export function bestSegmentRows(rate: number, largest: number): number {
  if (rate <= 0 || largest <= MIN_SEGMENT_ROWS) return largest;
  let best = largest;
  for (let rows = largest; ; rows = Math.max(MIN_SEGMENT_ROWS, Math.floor(rows / 1.25))) {
    if (bytesPerRowAt(rate, rows) < bytesPerRowAt(rate, best)) best = rows;
    if (rows === MIN_SEGMENT_ROWS) return best;
  }
}

/** Both methods' predicted costs for an entity, and which one the estimate favours. */
export interface CostEstimate {
  /** Damaged rows per row, estimated. */
  readonly damagedShare: number;
  /** Rows the damage was estimated from. */
  readonly sampledRows: number;
  /** The segment size the checksum would split to. */
  readonly segmentRows: number;
  /** Share of rows the checksum would still stream. */
  readonly streamedShare: number;
  readonly checksumBytesPerRow: number;
  readonly streamBytesPerRow: number;
  readonly choice: 'checksum' | 'stream';
  /** One line: why. */
  readonly reason: string;
}

/**
 * Both costs at this damage rate. The checksum is chosen when it saves at least half the stream's
 * bytes and expects to stream at most MAX_STREAMED_SHARE of the rows.
 */
export function estimateCosts(
  rate: number,
  { sampledRows, largestSegment }: { sampledRows: number; largestSegment: number },
): CostEstimate {
  const segmentRows = bestSegmentRows(rate, largestSegment);
  const share = streamedShare(rate, segmentRows);
  const checksumBytesPerRow = bytesPerRowAt(rate, segmentRows);
  const pays = checksumBytesPerRow * 2 <= STREAMED_ROW_BYTES && share <= MAX_STREAMED_SHARE;
  const damage = `${percent(rate)} of rows estimated damaged from ${sampledRows} sampled`;
  const costs =
    `checksum ~${checksumBytesPerRow.toFixed(1)} bytes/row (segments of ${segmentRows}, ` +
    `${percent(share)} of rows streamed), stream ~${STREAMED_ROW_BYTES}`;
  return {
    damagedShare: rate,
    sampledRows,
    segmentRows,
    streamedShare: share,
    checksumBytesPerRow,
    streamBytesPerRow: STREAMED_ROW_BYTES,
    choice: pays ? 'checksum' : 'stream',
    reason: `${damage}: ${costs}`,
  };
}

const percent = (share: number): string =>
  `${(share * 100).toFixed(share < 0.001 ? 3 : share < 0.01 ? 2 : 1)}%`;
