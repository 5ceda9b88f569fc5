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
 * What one more round costs, in bytes a row of the table: it scans every row of both sides for its
 * key hash and groups the rows in scope, about 0.5 µs a row a side on this machine (a second round
 * at 1M rows took 0.45–0.57 s), what 5 bytes a side take over a 10 MB/s link to a hosted
 * database. A deeper split must save more than this.
 */
export const SCAN_BYTES_PER_ROW = 10;

/**
 * What a segment costs the servers, in the same bytes: grouping, hashing and sorting each one
 * takes 4–9 µs a side here (rounds of 111,000 and 200,000 segments against one of 500 over the
 * same million rows), what some 60 bytes a side take at 10 MB/s. Without it the split goes finer
 * than pays in wall time (segments of 5 rows at 1% damaged, where 10 cost a few bytes more and
 * run faster).
 */
export const SEGMENT_WORK_BYTES = 120;

/** Segments smaller than this cost more in fingerprints and grouping than their rows would. */
export const MIN_SEGMENT_ROWS = 4;
/**
 * Segments one round fingerprints at most. A side's fingerprints arrive as one text, 12 bytes a
 * segment base64-encoded, and are decoded whole: at 2^18 that is 3 MB a side (4 MB of text). Past
 * it the segments grow instead: 2^24 of them (what a 10M-row table at 2% damaged asked for)
 * held some 150 MB at once.
 */
export const MAX_ROUND_SEGMENTS = 1 << 18;

/** The smallest segments a round over `rows` rows may split into. */
export function smallestSegmentRows(rows: number): number {
  return Math.max(MIN_SEGMENT_ROWS, Math.ceil(rows / MAX_ROUND_SEGMENTS));
}

/**
 * The largest share of rows the checksum may expect to stream and still be chosen. Its sample,
 * its round and its final key-hash scan cost about a stream's time on a local link before any row
 * is streamed (0.93× the stream at 0.1% damaged, 3% streamed; 1.28× at 1%, 10% streamed), so past
 * this its wall time there passes 1.5 streams.
 */
export const MAX_STREAMED_SHARE = 0.15;

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

/** The same, with the servers' work per segment counted as bytes: what the split minimises. */
export function costPerRowAt(rate: number, rows: number): number {
  return SEGMENT_WORK_BYTES / rows + bytesPerRowAt(rate, rows);
}

/**
 * The segment size (rows) that costs least at this damage rate, between `smallest` and
 * `largest`: fingerprints and grouping cost less the bigger the segments, streamed rows more.
 */
export function bestSegmentRows(
  rate: number,
  largest: number,
  smallest: number = MIN_SEGMENT_ROWS,
): number {
  if (rate <= 0 || largest <= smallest) return largest;
  let best = largest;
  for (let rows = largest; ; rows = Math.max(smallest, Math.floor(rows / 1.25))) {
    if (costPerRowAt(rate, rows) < costPerRowAt(rate, best)) best = rows;
    if (rows === smallest) return best;
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
  {
    sampledRows,
    largestSegment,
    tableRows = 0,
  }: { sampledRows: number; largestSegment: number; tableRows?: number },
): CostEstimate {
  const segmentRows = bestSegmentRows(rate, largestSegment, smallestSegmentRows(tableRows));
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
