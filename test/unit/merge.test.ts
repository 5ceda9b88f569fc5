import { describe, expect, it } from 'vitest';
import { mergeByKey, type KeyGroup } from '../../src/core/merge.js';

async function* batches<T>(items: T[], size: number): AsyncGenerator<T[]> {
  for (let i = 0; i < items.length; i += size) yield items.slice(i, i + size);
}

async function merge<S extends { key: string }, M extends { key: string }>(source: S[], mirror: M[], size = 2) {
  const groups: KeyGroup<S, M>[] = [];
  await mergeByKey(batches(source, size), batches(mirror, size), (g) => groups.push(g));
  return groups;
}

describe('mergeByKey', () => {
  it.each([1, 2, 3, 100])('groups both sides by key, with keys only one side has (batches of %i)', async (size) => {
    const source = [{ key: 'a' }, { key: 'b' }, { key: 'd' }];
    const mirror = [
      { key: 'b', id: 1 },
      { key: 'b', id: 2 },
      { key: 'c', id: 3 },
      { key: 'd', id: 4 },
      { key: 'e', id: 5 },
    ];
    const groups = await merge(source, mirror, size);
    expect(groups.map((g) => [g.key, g.source ? 'S' : '-', g.mirror.map((r) => r.id).join('+')])).toEqual([
      ['a', 'S', ''],
      ['b', 'S', '1+2'],
      ['c', '-', '3'],
      ['d', 'S', '4'],
      ['e', '-', '5'],
    ]);
  });

  it('counts repeated source keys instead of emitting them twice', async () => {
    expect(await merge([{ key: 'a' }, { key: 'a' }, { key: 'a' }], [])).toEqual([{ key: 'a', source: { key: 'a' }, mirror: [], extraSourceRows: 2 }]);
  });

  it('handles empty sides', async () => {
    expect(await merge([], [])).toEqual([]);
    expect((await merge([], [{ key: 'x' }])).map((g) => g.key)).toEqual(['x']);
  });

  it('refuses unsorted input rather than produce wrong classes, even across batches', async () => {
    await expect(merge([{ key: 'b' }, { key: 'a' }], [])).rejects.toThrow(/source rows are not sorted by key: "b" came before "a"/);
    await expect(merge([], [{ key: 'a' }, { key: 'c' }, { key: 'b' }], 2)).rejects.toThrow(/mirror rows are not sorted/);
  });
});
