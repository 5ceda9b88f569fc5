import type { Transaction } from 'kysely';
import type { AnyDb } from './connect.js';

/**
 * A transaction that writes, at READ COMMITTED whatever the database's
 * default_transaction_isolation says. The writes wait on advisory locks and
 * then read what the previous holder committed (a key's mirror rows, the
 * journal's schema version); under REPEATABLE READ or SERIALIZABLE the
 * snapshot is taken before the wait, so the second writer would not see the
 * first one's rows and would insert a key twice.
 */
export function writeTransaction<T>(
  db: AnyDb,
  work: (trx: Transaction<any>) => Promise<T>,
): Promise<T> {
  return db.transaction().setIsolationLevel('read committed').execute(work);
}

/** A transaction that reads only: a trusted SQL fragment in it cannot write, whatever it calls. */
export function readOnlyTransaction<T>(
  db: AnyDb,
  work: (trx: Transaction<any>) => Promise<T>,
): Promise<T> {
  return db.transaction().setAccessMode('read only').execute(work);
}
