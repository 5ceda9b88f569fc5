import { compareKeys } from './key-order.js';

export interface KeyGroup<S, M> {
  readonly key: string;
  /** The first source row with this key; undefined when only the mirror has it. */
  readonly source: S | undefined;
  /** Every mirror row with this key, in the order they came. */
  readonly mirror: M[];
  /** Further source rows with the same key (a non-unique source key). */
  readonly extraSourceRows: number;
}

/**
 * Merge-joins two streams of batches sorted by key (compareKeys order) and
 * calls `onGroup` once per key. Only the current batches are held in memory,
 * and the only awaits are for the next batch, not for every row.
 */
export async function mergeByKey<S extends { key: string }, M extends { key: string }>(
  source: AsyncIterable<readonly S[]>,
  mirror: AsyncIterable<readonly M[]>,
  onGroup: (group: KeyGroup<S, M>) => void,
): Promise<void> {
  const left = new SortedReader(source, 'source');
  const right = new SortedReader(mirror, 'mirror');
  for (;;) {
    const s = left.peek() ?? (await left.fill());
    const m = right.peek() ?? (await right.fill());
    if (s === undefined && m === undefined) return;
    const key = s === undefined ? m!.key : m === undefined ? s.key : compareKeys(s.key, m.key) <= 0 ? s.key : m.key;
    let first: S | undefined;
    let extraSourceRows = 0;
    for (let row = s; row !== undefined && row.key === key; row = left.peek() ?? (await left.fill())) {
      if (first === undefined) first = row;
      else extraSourceRows++;
      left.advance();
    }
    const rows: M[] = [];
    for (let row = m; row !== undefined && row.key === key; row = right.peek() ?? (await right.fill())) {
      rows.push(row);
      right.advance();
    }
    onGroup({ key, source: first, mirror: rows, extraSourceRows });
  }
}

/** Row-at-a-time access to a stream of batches, checking the sort order as it goes. */
class SortedReader<T extends { key: string }> {
  private batch: readonly T[] = [];
  private index = 0;
  private finished = false;
  private previous: string | undefined;
  private readonly iterator: AsyncIterator<readonly T[]>;

  constructor(
    batches: AsyncIterable<readonly T[]>,
    private readonly side: string,
  ) {
    this.iterator = batches[Symbol.asyncIterator]();
  }

  /** The current row, or undefined when the batch is used up (call fill) or the stream ended. */
  peek(): T | undefined {
    return this.batch[this.index];
  }

  advance(): void {
    this.index++;
  }

  /** Loads the next non-empty batch; undefined at the end of the stream. */
  async fill(): Promise<T | undefined> {
    while (this.index >= this.batch.length && !this.finished) {
      const next = await this.iterator.next();
      if (next.done) this.finished = true;
      else {
        this.batch = next.value;
        this.index = 0;
        this.checkOrder();
      }
    }
    return this.peek();
  }

  private checkOrder(): void {
    for (const row of this.batch) {
      if (this.previous !== undefined && compareKeys(this.previous, row.key) > 0) {
        throw new Error(`${this.side} rows are not sorted by key: "${this.previous}" came before "${row.key}"`);
      }
      this.previous = row.key;
    }
  }
}
