import { compareKeys } from './key-order.js';
import {
  compareFields,
  int16Field,
  isNull,
  sameField,
  slot,
  textField,
  type RowBatch,
} from './row-batch.js';

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
  /** Every other key: read in full and classified row by row, in key order. */
  readonly suspects: SuspectList;
}

/**
 * A key to read in full, and how many rows each side has with it (so only the sides that have it
 * are asked).
 */
export interface Suspect {
  readonly key: string;
  readonly sourceRows: number;
  readonly mirrorRows: number;
}

/**
 * Where an audit puts its suspects. A damaged mirror can have one for every
 * row, so an implementation may keep them outside memory (ops/audit/suspect-spool.ts
 * spills them to a file); they come back in key order whatever order they
 * were added in.
 */
export interface SuspectList {
  add(suspect: Suspect): void;
  readonly size: number;
  /** Every suspect in key order (compareKeys), in chunks of at most `max`. Read once. */
  chunks(max: number): AsyncIterable<readonly Suspect[]>;
  /** Lets go of what the list holds. */
  close(): void;
}

/** Suspects in an array, sorted when read: for lists known to be small. */
export function suspectArray(): SuspectList {
  const items: Suspect[] = [];
  return {
    add: (suspect) => void items.push(suspect),
    get size() {
      return items.length;
    },
    async *chunks(max) {
      items.sort((a, b) => compareKeys(a.key, b.key));
      for (let start = 0; start < items.length; start += max) yield items.slice(start, start + max);
    },
    close: () => void items.splice(0),
  };
}

export function emptySummary(suspects: SuspectList): KeySummary {
  return {
    sourceRows: 0,
    sourceRowsWithoutKey: 0,
    mirrorRows: 0,
    unsyncedRows: 0,
    clean: 0,
    suspects,
  };
}

/**
 * Adds one summary's counts to another (a shard's, a segment's); their suspects go to one list as
 * they are found.
 */
export function addCounts(into: KeySummary, from: KeySummary): void {
  into.sourceRows += from.sourceRows;
  into.sourceRowsWithoutKey += from.sourceRowsWithoutKey;
  into.mirrorRows += from.mirrorRows;
  into.unsyncedRows += from.unsyncedRows;
  into.clean += from.clean;
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
export async function mergeSummaries(
  source: AsyncIterable<RowBatch>,
  mirror: AsyncIterable<RowBatch>,
  suspects: SuspectList,
  everyKey = false,
): Promise<KeySummary> {
  const summary = emptySummary(suspects);
  const left = new Cursor(source, 'source');
  const right = new Cursor(mirror, 'mirror');
  let leftOpen = await left.fill();
  let rightOpen = await right.fill();
  for (;;) {
    if (leftOpen && !left.has()) leftOpen = await left.fill();
    if (rightOpen && !right.has()) rightOpen = await right.fill();
    // Rows without a key sort last on the source side: from the first one, only the mirror has keys
    // left.
    const keyed = leftOpen && !isNull(left.batch!, left.at(0));
    if (!keyed && !rightOpen) break;

    // The group's key: the smaller of the two current keys.
    const order = !keyed
      ? 1
      : !rightOpen
        ? -1
        : compareFields(left.batch!, left.at(0), right.batch!, right.at(0));
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
        if (((int16Field(right.batch!, right.at(2)) ?? 0) & FLAG_SFID) === 0)
          summary.unsyncedRows++;
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
      !everyKey &&
      sourceCount === 1 &&
      mirrorCount === 1 &&
      flags === FLAG_SFID &&
      sameField(sourceBatch!, sourceDigest, mirrorBatch!, mirrorDigest);
    if (clean) summary.clean++;
    else
      suspects.add({
        key: textField(keyBatch, keyAt)!,
        sourceRows: sourceCount,
        mirrorRows: mirrorCount,
      });
  }
  while (leftOpen) {
    if (!left.has()) {
      leftOpen = await left.fill();
      continue;
    }
    if (!isNull(left.batch!, left.at(0)))
      throw new Error(
        'source rows are not sorted by key: a row with a key came after rows without one',
      );
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
    const earlierKey = textField(keyBatch, keyAt);
    const laterKey = textField(cursor.batch!, at);
    throw new Error(
      `${cursor.side} rows are not sorted by key: "${earlierKey}" came before "${laterKey}"`,
    );
  }
  return order === 0;
}
