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
 * Merge-joins two streams sorted by key (compareKeys order) into one group per
 * key, holding only the current group in memory.
 */
export async function* mergeByKey<S extends { key: string }, M extends { key: string }>(
  source: AsyncIterable<S>,
  mirror: AsyncIterable<M>,
): AsyncGenerator<KeyGroup<S, M>> {
  const left = sorted(source, 'source');
  const right = sorted(mirror, 'mirror');
  let s = await left.next();
  let m = await right.next();
  while (!s.done || !m.done) {
    const order = s.done ? 1 : m.done ? -1 : compareKeys(s.value.key, m.value.key);
    const key = order <= 0 ? s.value!.key : m.value!.key;
    let first: S | undefined;
    let extraSourceRows = 0;
    while (!s.done && s.value.key === key) {
      if (first === undefined) first = s.value;
      else extraSourceRows++;
      s = await left.next();
    }
    const rows: M[] = [];
    while (!m.done && m.value.key === key) {
      rows.push(m.value);
      m = await right.next();
    }
    yield { key, source: first, mirror: rows, extraSourceRows };
  }
}

async function* sorted<T extends { key: string }>(rows: AsyncIterable<T>, side: string): AsyncGenerator<T> {
  let previous: string | undefined;
  for await (const row of rows) {
    if (previous !== undefined && compareKeys(previous, row.key) > 0) {
      throw new Error(`${side} rows are not sorted by key: "${previous}" came before "${row.key}"`);
    }
    previous = row.key;
    yield row;
  }
}
