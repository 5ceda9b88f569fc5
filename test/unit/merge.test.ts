import { describe, expect, it } from 'vitest';
import { mergeByKey } from '../../src/core/merge.js';

async function* from<T>(items: T[]): AsyncGenerator<T> {
  yield* items;
}

async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of iterable) out.push(item);
  return out;
}

describe('mergeByKey', () => {
  it('groups both sides by key, with keys only one side has', async () => {
    const source = [{ key: 'a' }, { key: 'b' }, { key: 'd' }];
    const mirror = [{ key: 'b', id: 1 }, { key: 'b', id: 2 }, { key: 'c', id: 3 }, { key: 'd', id: 4 }, { key: 'e', id: 5 }];
    const groups = await collect(mergeByKey(from(source), from(mirror)));
    expect(groups.map((g) => [g.key, g.source ? 'S' : '-', g.mirror.map((r) => r.id).join('+')])).toEqual([
      ['a', 'S', ''],
      ['b', 'S', '1+2'],
      ['c', '-', '3'],
      ['d', 'S', '4'],
      ['e', '-', '5'],
    ]);
  });

  it('counts repeated source keys instead of emitting them twice', async () => {
    const groups = await collect(mergeByKey(from([{ key: 'a' }, { key: 'a' }]), from([])));
    expect(groups).toEqual([{ key: 'a', source: { key: 'a' }, mirror: [], extraSourceRows: 1 }]);
  });

  it('refuses unsorted input rather than produce wrong classes', async () => {
    await expect(collect(mergeByKey(from([{ key: 'b' }, { key: 'a' }]), from([])))).rejects.toThrow(/source rows are not sorted/);
  });
});
