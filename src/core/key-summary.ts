import { compareFields, int16Field, isNull, sameField, slot, textField, type RowBatch } from './row-batch.js';

/** Source summary rows: key, digest. Mirror summary rows: key, digest, flags. */
export const SOURCE_SUMMARY_WIDTH = 2;
export const MIRROR_SUMMARY_WIDTH = 3;
export const FLAG_SFID = 1;
export const FLAG_FAILED = 2;

/** What the summaries of one entity's two sides say, before any row is read in full. */
export interface KeySummary {
  /** Source rows, with a key or without. */
  sourceRows: number;
  sourceRowsWithoutKey: number;
  mirrorRows: number;
  /** Mirror rows without an sfid. */
  unsyncedRows: number;
  /** Keys proven ok: one source row, one mirror row with an sfid and not FAILED, equal digests. */
  clean: number;
  /** Every other key, in key order: read in full and classified row by row. */
  readonly suspects: Suspect[];
}

/** A key to read in full, and how many rows each side has with it (so only the sides that have it are asked). */
export interface Suspect {
  readonly key: string;
  readonly sourceRows: number;
  readonly mirrorRows: number;
}

export function emptySummary(): KeySummary {
  return { sourceRows: 0, sourceRowsWithoutKey: 0, mirrorRows: 0, unsyncedRows: 0, clean: 0, suspects: [] };
}

/** Adds one summary's counts and suspects to another (a shard's, a segment's). */
export function addSummary(into: KeySummary, from: KeySummary): void {
  into.sourceRows += from.sourceRows;
  into.sourceRowsWithoutKey += from.sourceRowsWithoutKey;
  into.mirrorRows += from.mirrorRows;
  into.unsyncedRows += from.unsyncedRows;
  into.clean += from.clean;
  for (const key of from.suspects) into.suspects.push(key);
}

/** Row-at-a-time reading of a stream of batches, awaiting only between batches. */
class Cursor {
  batch: RowBatch | undefined;
  row = 0;
  private ended = false;
  private readonly iterator: AsyncIterator<RowBatch>;

  constructor(
    batches: AsyncIterable<RowBatch>,
    readonly side: string,
  ) {
    this.iterator = batches[Symbol.asyncIterator]();
  }

  /** True when a row is at hand without awaiting. */
  has(): boolean {
    return this.batch !== undefined && this.row < this.batch.count;
  }

  /** Makes a row current if the stream has one; false at its end. */
  async fill(): Promise<boolean> {
    while (!this.has() && !this.ended) {
      const next = await this.iterator.next();
      if (next.done) {
        this.ended = true;
        this.batch = undefined;
      } else {
        this.batch = next.value;
        this.row = 0;
      }
    }
    return this.has();
  }

  at(field: number): number {
    return slot(this.batch!, this.row, field);
  }
}

/**
 * Merge-joins the two sides' summaries, both sorted by key in byte order
 * (COLLATE "C"), comparing keys and digests where they lie in the batches. Only
 * a key that is not provably ok becomes a string, and only the end of a batch
 * is awaited. `everyKey` makes every key a suspect (the reference audit, which
 * classifies all of them in JavaScript).
 */
export async function mergeSummaries(source: AsyncIterable<RowBatch>, mirror: AsyncIterable<RowBatch>, everyKey = false): Promise<KeySummary> {
  const summary = emptySummary();
  const left = new Cursor(source, 'source');
  const right = new Cursor(mirror, 'mirror');
  let leftOpen = await left.fill();
  let rightOpen = await right.fill();
  for (;;) {
    if (leftOpen && !left.has()) leftOpen = await left.fill();
    if (rightOpen && !right.has()) rightOpen = await right.fill();
    // Rows without a key sort last on the source side: from the first one, only the mirror has keys left.
    const keyed = leftOpen && !isNull(left.batch!, left.at(0));
    if (!keyed && !rightOpen) break;

    // The group's key: the smaller of the two current keys.
    const order = !keyed ? 1 : !rightOpen ? -1 : compareFields(left.batch!, left.at(0), right.batch!, right.at(0));
    const keyBatch = order <= 0 ? left.batch! : right.batch!;
    const keyAt = order <= 0 ? left.at(0) : right.at(0);

    let sourceCount = 0;
    let sourceBatch: RowBatch | undefined;
    let sourceDigest = 0;
    if (order <= 0) {
      sourceBatch = left.batch!;
      sourceDigest = left.at(1);
      for (;;) {
        sourceCount++;
        left.row++;
        if (!left.has()) {
          leftOpen = await left.fill();
          if (!leftOpen) break;
        }
        if (!sameKey(left, keyBatch, keyAt)) break;
      }
    }
    let mirrorCount = 0;
    let mirrorBatch: RowBatch | undefined;
    let mirrorDigest = 0;
    let flags = 0;
    if (order >= 0) {
      mirrorBatch = right.batch!;
      mirrorDigest = right.at(1);
      flags = int16Field(right.batch!, right.at(2)) ?? 0;
      for (;;) {
        mirrorCount++;
        if (((int16Field(right.batch!, right.at(2)) ?? 0) & FLAG_SFID) === 0) summary.unsyncedRows++;
        right.row++;
        if (!right.has()) {
          rightOpen = await right.fill();
          if (!rightOpen) break;
        }
        if (!sameKey(right, keyBatch, keyAt)) break;
      }
    }
    summary.sourceRows += sourceCount;
    summary.mirrorRows += mirrorCount;
    const clean =
      !everyKey && sourceCount === 1 && mirrorCount === 1 && flags === FLAG_SFID && sameField(sourceBatch!, sourceDigest, mirrorBatch!, mirrorDigest);
    if (clean) summary.clean++;
    else summary.suspects.push({ key: textField(keyBatch, keyAt)!, sourceRows: sourceCount, mirrorRows: mirrorCount });
  }
  while (leftOpen) {
    if (!left.has()) {
      leftOpen = await left.fill();
      continue;
    }
    if (!isNull(left.batch!, left.at(0))) throw new Error('source rows are not sorted by key: a row with a key came after rows without one');
    summary.sourceRows++;
    summary.sourceRowsWithoutKey++;
    left.row++;
  }
  return summary;
}

/** Whether the cursor's row has the group's key; a smaller key means the stream is not sorted. */
function sameKey(cursor: Cursor, keyBatch: RowBatch, keyAt: number): boolean {
  const at = cursor.at(0);
  if (isNull(cursor.batch!, at)) return false;
  const order = compareFields(cursor.batch!, at, keyBatch, keyAt);
  if (order < 0) {
    throw new Error(`${cursor.side} rows are not sorted by key: "${textField(keyBatch, keyAt)}" came before "${textField(cursor.batch!, at)}"`);
  }
  return order === 0;
}
