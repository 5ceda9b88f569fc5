import { describe, expect, it } from 'vitest';
import { inOrderOnWorkers } from '../../src/ops/audit/workers.js';

const tick = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('inOrderOnWorkers', () => {
  it('runs as many items at once as there are workers, each on a worker of its own', async () => {
    let running = 0;
    let most = 0;
    const busy = new Set<string>();
    const results = await inOrderOnWorkers(
      [30, 5, 20, 1, 10, 2],
      ['w1', 'w2', 'w3'],
      undefined,
      async (ms, worker) => {
        expect(busy.has(worker)).toBe(false);
        busy.add(worker);
        most = Math.max(most, ++running);
        await tick(ms);
        running--;
        busy.delete(worker);
        return ms * 2;
      },
    );
    expect(results).toEqual([60, 10, 40, 2, 20, 4]);
    expect(most).toBe(3);
  });

  it('reports each result once it and every one before it are in', async () => {
    const reported: number[] = [];
    await inOrderOnWorkers(
      [20, 1, 5],
      ['a', 'b', 'c'],
      undefined,
      async (ms) => {
        await tick(ms);
        return ms;
      },
      (result) => reported.push(result),
    );
    expect(reported).toEqual([20, 1, 5]);
  });

  it('starts nothing after a failure, throws the first error once running ones end', async () => {
    const started: number[] = [];
    const ended: number[] = [];
    const run = inOrderOnWorkers([1, 2, 3, 4, 5], ['a', 'b'], undefined, async (n) => {
      started.push(n);
      if (n === 1) {
        await tick(5);
        throw new Error('item 1 failed');
      }
      await tick(30);
      ended.push(n);
      return n;
    });
    await expect(run).rejects.toThrow('item 1 failed');
    expect(started).toEqual([1, 2]);
    // Item 2 held a worker when 1 failed: it ran to its end before the error came out.
    expect(ended).toEqual([2]);
  });

  it('starts nothing once the signal is aborted', async () => {
    const controller = new AbortController();
    controller.abort(new Error('interrupted'));
    const run = inOrderOnWorkers([1, 2], ['a'], controller.signal, async (n) => n);
    await expect(run).rejects.toThrow('interrupted');
  });
});
