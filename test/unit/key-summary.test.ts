import { describe, expect, it } from 'vitest';
import {
  FLAG_FAILED,
  FLAG_SFID,
  mergeSummaries,
  suspectArray,
  type Suspect,
} from '../../src/core/methods/key-summary.js';
import type { RowBatch } from '../../src/core/methods/row-batch.js';

type Value = string | number | null;

/**
 * Rows as COPY BINARY delivers them: every field's bytes in one array (a digest as 8 bytes, flags
 * as a big-endian smallint).
 */
function batch(rows: readonly Value[][], width: number): RowBatch {
  const chunks: number[] = [];
  const starts = new Int32Array(rows.length * width);
  const ends = new Int32Array(rows.length * width);
  rows.forEach((row, r) => {
    row.forEach((value, f) => {
      const slot = r * width + f;
      if (value === null) {
        starts[slot] = -1;
        ends[slot] = -1;
        return;
      }
      const bytes =
        typeof value === 'number'
          ? f === 2
            ? [value >> 8, value & 255]
            : [0, 0, 0, 0, 0, 0, 0, value]
          : [...new TextEncoder().encode(value)];
      starts[slot] = chunks.length;
      chunks.push(...bytes);
      ends[slot] = chunks.length;
    });
  });
  return { bytes: Uint8Array.from(chunks), count: rows.length, width, starts, ends };
}

async function* inBatches(
  rows: readonly Value[][],
  width: number,
  size: number,
): AsyncGenerator<RowBatch> {
  for (let i = 0; i < rows.length; i += size) yield batch(rows.slice(i, i + size), width);
}

const synced = FLAG_SFID;
/** The merged summary, its suspects read back as the audit reads them (in key order). */
async function merge(source: Value[][], mirror: Value[][], size = 2, everyKey = false) {
  const summary = await mergeSummaries(
    inBatches(source, 2, size),
    inBatches(mirror, 3, size),
    suspectArray(),
    everyKey,
  );
  const suspects: Suspect[] = [];
  for await (const chunk of summary.suspects.chunks(3)) suspects.push(...chunk);
  return { ...summary, suspects };
}

describe('mergeSummaries', () => {
  it.each([1, 2, 3, 100])(
    'keeps only the keys that are not provably ok, in key order, ' +
      'with each side’s row count (batches of %i)',
    async (size) => {
      const source: Value[][] = [
        ['a', 1], // absent
        ['b', 1], // ok
        ['c', 1], // drift: digests differ
        ['d', 1], // FAILED
        ['e', 1], // no sfid
        ['f', 1], // mirror duplicate
        ['g', 1], // source duplicate
        ['g', 1],
        [null, 1], // no key
      ];
      const mirror: Value[][] = [
        ['b', 1, synced],
        ['c', 2, synced],
        ['d', 1, synced | FLAG_FAILED],
        ['e', 1, 0],
        ['f', 1, synced],
        ['f', 1, synced],
        ['g', 1, synced],
        ['h', 1, synced], // orphan
      ];
      const summary = await merge(source, mirror, size);
      expect(summary.suspects).toEqual([
        { key: 'a', sourceRows: 1, mirrorRows: 0 },
        { key: 'c', sourceRows: 1, mirrorRows: 1 },
        { key: 'd', sourceRows: 1, mirrorRows: 1 },
        { key: 'e', sourceRows: 1, mirrorRows: 1 },
        { key: 'f', sourceRows: 1, mirrorRows: 2 },
        { key: 'g', sourceRows: 2, mirrorRows: 1 },
        { key: 'h', sourceRows: 0, mirrorRows: 1 },
      ]);
      expect(summary).toMatchObject({
        clean: 1,
        sourceRows: 9,
        sourceRowsWithoutKey: 1,
        mirrorRows: 8,
        unsyncedRows: 1,
      });
    },
  );

  it('compares keys as bytes: the code-point order COLLATE "C" sorts UTF-8 by', async () => {
    const keys = ['B', 'a', 'é', '\uFF21', '\u{1F600}'];
    const summary = await merge(
      keys.map((k) => [k, 1]),
      keys.map((k) => [k, 1, synced]),
    );
    expect(summary).toMatchObject({ clean: 5, suspects: [] });
  });

  it('makes every key a suspect for the reference audit', async () => {
    const summary = await merge([['a', 1]], [['a', 1, synced]], 2, true);
    expect(summary).toMatchObject({ clean: 0, suspects: [{ key: 'a' }] });
  });

  it('handles empty sides', async () => {
    expect(await merge([], [])).toMatchObject({
      clean: 0,
      suspects: [],
      sourceRows: 0,
      mirrorRows: 0,
    });
    expect((await merge([], [['x', 1, 0]])).suspects).toEqual([
      { key: 'x', sourceRows: 0, mirrorRows: 1 },
    ]);
  });

  it('refuses unsorted input rather than produce wrong classes, even across batches', async () => {
    await expect(
      merge(
        [
          ['b', 1],
          ['a', 1],
        ],
        [],
      ),
    ).rejects.toThrow(/source rows are not sorted by key: "b" came before "a"/);
    await expect(
      merge(
        [],
        [
          ['a', 1, 1],
          ['c', 1, 1],
          ['b', 1, 1],
        ],
        2,
      ),
    ).rejects.toThrow(/mirror rows are not sorted/);
    await expect(
      merge(
        [
          [null, 1],
          ['a', 1],
        ],
        [],
      ),
    ).rejects.toThrow(/a row with a key came after rows without one/);
  });
});
