import { describe, expect, it } from 'vitest';
import { retryOnLostConnection } from '../../src/db/driver/retry-lost-connection.js';
import { DatabaseError, LockError } from '../../src/errors.js';

const lost = () =>
  new DatabaseError('the connection was lost', { database: 'mirror', connectionLost: true });

/** Work that fails with each of `failures` in turn, then answers how many calls it took. */
function failingWith(failures: readonly Error[]) {
  let calls = 0;
  const work = async () => {
    calls++;
    const failure = failures[calls - 1];
    if (failure) throw failure;
    return calls;
  };
  return { work, calls: () => calls };
}

describe('retryOnLostConnection', () => {
  it('answers at once when the work succeeds', async () => {
    const { work, calls } = failingWith([]);
    await expect(retryOnLostConnection(work, 5)).resolves.toBe(1);
    expect(calls()).toBe(1);
  });

  it('tries again on a lost connection, up to the last attempt', async () => {
    const { work } = failingWith([lost(), lost(), lost(), lost()]);
    await expect(retryOnLostConnection(work, 5)).resolves.toBe(5);
  });

  it('gives up after the last attempt with its failure', async () => {
    const failures = [lost(), lost(), lost(), lost(), lost(), lost()];
    const { work, calls } = failingWith(failures);
    await expect(retryOnLostConnection(work, 5)).rejects.toBe(failures[4]);
    expect(calls()).toBe(5);
  });

  it.each([
    [
      'a database error with the connection up',
      new DatabaseError('duplicate key', { sqlstate: '23505' }),
    ],
    ['a lock error', new LockError('the write lock was lost')],
    ['any other error', new Error('boom')],
  ])('throws %s at once', async (_kind, failure) => {
    const { work, calls } = failingWith([failure, lost()]);
    await expect(retryOnLostConnection(work, 5)).rejects.toBe(failure);
    expect(calls()).toBe(1);
  });
});
