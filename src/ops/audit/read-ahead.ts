/**
 * `read` of each item, the next one's read started before this one is handed over: while a batch
 * is classified and its parents looked up, the next batch's rows are on their way. At most two
 * reads are held at once.
 */
export async function* readAhead<T, R>(
  items: AsyncIterable<T>,
  read: (item: T) => Promise<R>,
): AsyncGenerator<R> {
  const iterator = items[Symbol.asyncIterator]();
  const start = async (): Promise<{ done: true } | { done: false; value: Promise<R> }> => {
    const next = await iterator.next();
    return next.done ? { done: true } : { done: false, value: read(next.value) };
  };
  let pending = await start();
  try {
    while (!pending.done) {
      const value = await pending.value;
      pending = await start();
      // A read that fails while its predecessor is being classified is reported when its turn
      // comes; until then it must not count as unhandled.
      if (!pending.done) pending.value.catch(() => undefined);
      yield value;
    }
  } finally {
    // Stopped early (an error in a read or in the caller): the last read is let finish so no
    // statement outlives the transaction, and closing what the items hold must not mask the error.
    if (!pending.done) {
      await pending.value.catch(() => undefined);
      await iterator.return?.().catch(() => undefined);
    }
  }
}
