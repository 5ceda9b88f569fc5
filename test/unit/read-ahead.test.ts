import { describe, expect, it } from 'vitest';
import { readAhead } from '../../src/ops/audit/read-ahead.js';

async function* itemsOf<T>(items: readonly T[], onReturn?: () => void): AsyncGenerator<T> {
  try {
    for (const item of items) yield item;
  } finally {
    onReturn?.();
  }
}

/** A read per item that resolves when the test says so, recording when each one started. */
function controlledReads() {
  const started: number[] = [];
  const release = new Map<number, (value: string) => void>();
  const fail = new Map<number, (error: Error) => void>();
  const read = (item: number) =>
    new Promise<string>((resolve, reject) => {
      started.push(item);
      release.set(item, resolve);
      fail.set(item, reject);
    });
  return { started, release, fail, read };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('readAhead', () => {
  it('hands over every read in order', async () => {
    const seen: string[] = [];
    for await (const value of readAhead(itemsOf([1, 2, 3, 4]), async (n) => `row ${n}`))
      seen.push(value);
    expect(seen).toEqual(['row 1', 'row 2', 'row 3', 'row 4']);
  });

  it('reads nothing for no items', async () => {
    let reads = 0;
    for await (const _ of readAhead(itemsOf<number>([]), async () => reads++)) expect.fail();
    expect(reads).toBe(0);
  });

  it('starts the next read before an item is handed over, and no more than that', async () => {
    const { started, release, read } = controlledReads();
    const reader = readAhead(itemsOf([1, 2, 3]), read)[Symbol.asyncIterator]();
    const first = reader.next();
    await tick();
    expect(started).toEqual([1]);
    release.get(1)!('one');
    expect(await first).toEqual({ done: false, value: 'one' });
    // While item 1 is in the caller's hands, item 2 is on its way, item 3 not yet.
    expect(started).toEqual([1, 2]);
    await tick();
    expect(started).toEqual([1, 2]);
    release.get(2)!('two');
    expect(await reader.next()).toEqual({ done: false, value: 'two' });
    expect(started).toEqual([1, 2, 3]);
    release.get(3)!('three');
    expect(await reader.next()).toEqual({ done: false, value: 'three' });
    expect(await reader.next()).toEqual({ done: true, value: undefined });
  });

  it('reports a read that failed ahead when its turn comes, not as unhandled', async () => {
    const { release, fail, read } = controlledReads();
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      const reader = readAhead(itemsOf([1, 2]), read)[Symbol.asyncIterator]();
      const first = reader.next();
      await tick();
      release.get(1)!('one');
      expect((await first).value).toBe('one');
      fail.get(2)!(new Error('lost the session'));
      await tick();
      await tick();
      expect(unhandled).toEqual([]);
      await expect(reader.next()).rejects.toThrow('lost the session');
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });

  it('when the caller stops, lets the read ahead finish and closes the items', async () => {
    const { release, read } = controlledReads();
    let closed = false;
    let secondSettled = false;
    const consume = (async () => {
      for await (const value of readAhead(
        itemsOf([1, 2, 3], () => {
          closed = true;
        }),
        (n) =>
          read(n).then((value) => {
            if (n === 2) secondSettled = true;
            return value;
          }),
      )) {
        throw new Error(`stopped at ${value}`);
      }
    })();
    await tick();
    release.get(1)!('one');
    await tick();
    expect(closed).toBe(false);
    release.get(2)!('two');
    await expect(consume).rejects.toThrow('stopped at one');
    expect(secondSettled).toBe(true);
    expect(closed).toBe(true);
  });

  it("does not let closing the items mask the caller's error", async () => {
    const items: AsyncIterable<number> = {
      [Symbol.asyncIterator]: () => {
        let n = 0;
        return {
          next: async () => ({ done: false, value: ++n }),
          return: async () => {
            throw new Error('cannot close the cursor');
          },
        };
      },
    };
    const consume = async () => {
      for await (const _ of readAhead(items, async (n) => n)) throw new Error('the real error');
    };
    await expect(consume()).rejects.toThrow('the real error');
  });
});
