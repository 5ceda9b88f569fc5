import type { Transaction } from 'kysely';
import type { HeldLock } from '../../db/sfsync/lock.js';

/**
 * The conditions under which a writing run may go on: it was not asked to stop
 * (SIGINT/SIGTERM) and it still holds the write lock. Checked before every row
 * and, from the server's side, just before every batch commits.
 */
export interface RunGuard {
  /** Throws InterruptedError or LockError when the run must stop now. */
  check(): void;
  /** Throws unless the batch may commit; runs inside the batch's transaction. */
  beforeCommit(trx: Transaction<any>): Promise<void>;
}

export function runGuard(lock: HeldLock, signal: AbortSignal | undefined): RunGuard {
  const check = (): void => {
    signal?.throwIfAborted();
    lock.assertHeld();
  };
  return {
    check,
    async beforeCommit(trx) {
      check();
      await lock.verify(trx);
    },
  };
}
