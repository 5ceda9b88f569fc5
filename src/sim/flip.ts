import { sql } from 'kysely';
import type { AnyDb } from '../db/driver/connect.js';
import { writeTransaction } from '../db/driver/transactions.js';
import type { ScheduledFlip } from './deferrals.js';
import { SIM_FAULT_TEXTS } from './fault-texts.js';

/**
 * The flip fault, a pass after the write succeeded: Connect logs a FAILED UPDATE for the record
 * (a lock it could not get) and marks the row FAILED, its sfid kept. So the row holds an sfid and
 * a SUCCESS entry, yet its latest entry is FAILED. Skipped (false) when the row is gone or holds
 * another sfid. Run in Connect's session (xmlbinary hex), so the row's update is not captured.
 */
export async function writeFlip(db: AnyDb, schema: string, flip: ScheduledFlip): Promise<boolean> {
  const message = SIM_FAULT_TEXTS.UNABLE_TO_LOCK_ROW;
  const log = sql.table(`${schema}._trigger_log`);
  return writeTransaction(db, async (trx) => {
    const { rows } = await sql`
      update ${sql.table(`${schema}.${flip.table}`)}
         set _hc_lastop = 'FAILED', _hc_err = ${message}
       where id = ${flip.recordId} and sfid = ${flip.sfid} returning id`.execute(trx);
    if (rows.length === 0) return false;
    // Written processed, then archived at once, as the entries a batch finishes are.
    const { rows: logged } = await sql<{ id: number }>`
      insert into ${log} (txid, created_at, updated_at, processed_at, processed_tx, state,
                          action, table_name, record_id, sfid, sf_result, sf_message)
      values (txid_current(), clock_timestamp(), clock_timestamp(), clock_timestamp(),
              txid_current(), 'FAILED', 'UPDATE', ${flip.table}, ${flip.recordId}, ${flip.sfid},
              0, ${message})
      returning id`.execute(trx);
    await sql`with moved as (delete from ${log} where id = ${logged[0]!.id} returning *)
      insert into ${sql.table(`${schema}._trigger_log_archive`)} select * from moved`.execute(trx);
    return true;
  });
}
