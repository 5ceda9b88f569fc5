import pLimit from 'p-limit';

/** An item that never started because an earlier one failed: not an error of its own. */
class NotStarted extends Error {}

/**
 * Runs `task` for every item, each on a free worker (as many at once as there
 * are workers), and returns the results in the items' order; `onResult` gets
 * each result as soon as it and every one before it are in, so streamed
 * output keeps that order. After a failure no further item starts, and the
 * first error is thrown once the running ones have ended (their sessions are
 * in use until then).
 */
export async function inOrderOnWorkers<Item, Worker, Result>(
  items: readonly Item[],
  workers: readonly Worker[],
  signal: AbortSignal | undefined,
  task: (item: Item, worker: Worker) => Promise<Result>,
  onResult?: (result: Result) => void,
): Promise<Result[]> {
  // p-limit queues the items; a running item holds one of the free workers (never more running
  // than workers, so one is always free when an item starts).
  const limit = pLimit(workers.length);
  const free = [...workers];
  const results: Result[] = [];
  const finished: boolean[] = [];
  let reported = 0;
  let failed = false;
  const run = async (item: Item, index: number): Promise<void> => {
    const worker = free.pop()!;
    try {
      if (failed) throw new NotStarted();
      signal?.throwIfAborted();
      results[index] = await task(item, worker);
      finished[index] = true;
      for (; reported < items.length && finished[reported]; reported++)
        onResult?.(results[reported]!);
    } catch (error) {
      failed = true;
      throw error;
    } finally {
      free.push(worker);
    }
  };
  const settled = await Promise.allSettled(
    items.map((item, index) => limit(() => run(item, index))),
  );
  const errors = settled
    .filter((s): s is PromiseRejectedResult => s.status === 'rejected')
    .map((s) => s.reason as unknown);
  const first = errors.find((e) => !(e instanceof NotStarted));
  if (first !== undefined || errors.length > 0) throw first ?? errors[0];
  return results;
}
