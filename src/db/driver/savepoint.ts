import { sql, type Transaction } from 'kysely';
import { DatabaseError } from '../../errors.js';
import { isRowLevel } from './sqlstate.js';

export type SavepointResult<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly error: DatabaseError };

/**
 * Runs one row's work under a savepoint: on an error that belongs to that row
 * (its values, a constraint, a row lock held too long) the work is rolled back
 * and the error returned, so the rest of the batch can go on; anything else
 * (a lost connection, an interruption) is thrown and ends the transaction.
 */
export async function inSavepoint<T>(
  trx: Transaction<any>,
  work: () => Promise<T>,
): Promise<SavepointResult<T>> {
  await sql`savepoint sfsync_row`.execute(trx);
  try {
    const value = await work();
    await sql`release savepoint sfsync_row`.execute(trx);
    return { ok: true, value };
  } catch (error) {
    if (!(error instanceof DatabaseError && isRowLevel(error.sqlstate))) throw error;
    await sql`rollback to savepoint sfsync_row`.execute(trx);
    return { ok: false, error };
  }
}
