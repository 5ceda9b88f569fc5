/**
 * Rows as they arrive from `COPY … TO STDOUT (FORMAT binary)`: the bytes of
 * many rows in one array, and where each field starts and ends. Comparing two
 * rows' keys or digests then reads bytes in place, so a row that matches costs
 * no string and no object.
 */
export interface RowBatch {
  readonly bytes: Uint8Array;
  readonly count: number;
  /** Fields per row. */
  readonly width: number;
  /** `starts[row * width + field]`: where the field's bytes begin, or -1 when it is NULL. */
  readonly starts: Int32Array;
  /** `ends[row * width + field]`: where they end (exclusive). */
  readonly ends: Int32Array;
}

/** A field's position in a batch: row × width + field. */
export const slot = (batch: RowBatch, row: number, field: number): number =>
  row * batch.width + field;

export function isNull(batch: RowBatch, at: number): boolean {
  return batch.starts[at]! < 0;
}

/**
 * Byte order of two fields, which for UTF-8 text is code-point order, the
 * order PostgreSQL sorts by under COLLATE "C".
 */
export function compareFields(a: RowBatch, at: number, b: RowBatch, bt: number): number {
  const ab = a.bytes;
  const bb = b.bytes;
  let i = a.starts[at]!;
  let j = b.starts[bt]!;
  const aEnd = a.ends[at]!;
  const bEnd = b.ends[bt]!;
  for (; i < aEnd && j < bEnd; i++, j++) {
    const d = ab[i]! - bb[j]!;
    if (d !== 0) return d;
  }
  return aEnd - i - (bEnd - j);
}

export function sameField(a: RowBatch, at: number, b: RowBatch, bt: number): boolean {
  const length = a.ends[at]! - a.starts[at]!;
  if (length !== b.ends[bt]! - b.starts[bt]! || a.starts[at]! < 0 || b.starts[bt]! < 0)
    return false;
  return compareFields(a, at, b, bt) === 0;
}

/** A big-endian smallint field (flags), or undefined when NULL. */
export function int16Field(batch: RowBatch, at: number): number | undefined {
  const start = batch.starts[at]!;
  if (start < 0) return undefined;
  return (((batch.bytes[start]! << 8) | batch.bytes[start + 1]!) << 16) >> 16;
}

const decoder = new TextDecoder('utf-8', { fatal: false });

/** A text field as a string (only for the rows that need one). */
export function textField(batch: RowBatch, at: number): string | null {
  const start = batch.starts[at]!;
  if (start < 0) return null;
  return decoder.decode(batch.bytes.subarray(start, batch.ends[at]!));
}
