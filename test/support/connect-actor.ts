import type { FixtureDatabases } from './databases.js';

let counter = 0;

/** An 18-character Salesforce-looking id with the given key prefix. */
export function fakeSfid(prefix = 'a00'): string {
  return `${prefix}${String(++counter).padStart(12, '0')}AAA`.slice(0, 18);
}

/**
 * Plays Heroku Connect on the mirror database, in a session with xmlbinary =
 * 'hex' so that, as with the real Connect, its writes are not captured.
 */
export function connectActor(db: FixtureDatabases) {
  const markLog = (table: string, id: number, state: string, message: string | null) =>
    db.asConnect(
      `UPDATE salesforce._trigger_log
          SET state = $3, sf_message = $4, processed_at = now(), updated_at = now()
        WHERE table_name = $1 AND record_id = $2 AND state IN ('NEW', 'PENDING')`,
      [table, id, state, message],
    );
  const rowId = async (table: string, extColumn: string, ext: string): Promise<number> => {
    const { rows } = await db.asConnect(
      `SELECT id FROM salesforce.${table} WHERE ${extColumn} = $1 ORDER BY id LIMIT 1`,
      [ext],
    );
    if (!rows[0]) throw new Error(`no ${table} row with ${extColumn} = ${ext}`);
    return rows[0].id as number;
  };

  return {
    /** Salesforce accepted the insert: sfid and INSERTED, then SYNCED on read-back. */
    async inserted(
      table: string,
      extColumn: string,
      ext: string,
      sfid = fakeSfid(),
    ): Promise<string> {
      const id = await rowId(table, extColumn, ext);
      await db.asConnect(
        `UPDATE salesforce.${table} SET sfid = $2, _hc_lastop = 'INSERTED' WHERE id = $1`,
        [id, sfid],
      );
      await markLog(table, id, 'SUCCESS', null);
      await db.asConnect(`UPDATE salesforce.${table} SET systemmodstamp = now() WHERE id = $1`, [
        id,
      ]);
      return sfid;
    },
    /** Salesforce rejected the write: FAILED with the error text, never retried. */
    async failed(table: string, extColumn: string, ext: string, message: string): Promise<void> {
      const id = await rowId(table, extColumn, ext);
      await db.asConnect(
        `UPDATE salesforce.${table} SET _hc_lastop = 'FAILED', _hc_err = $2 WHERE id = $1`,
        [id, message],
      );
      await markLog(table, id, 'FAILED', message);
    },
    /**
     * A record that came from Salesforce (an upstream Contact, say): written by Connect, SYNCED.
     */
    async fromSalesforce(table: string, values: Record<string, unknown>): Promise<void> {
      const columns = Object.keys(values);
      const params = columns.map((_, i) => `$${i + 1}`).join(', ');
      await db.asConnect(
        `INSERT INTO salesforce.${table} (${columns.join(', ')}, sfid, systemmodstamp)
          VALUES (${params}, $${columns.length + 1}, now())`,
        [...Object.values(values), fakeSfid('003')],
      );
    },
    /** Moves a row's trigger-log entries back in time, as if written `interval` ago. */
    async writtenAgo(
      table: string,
      extColumn: string,
      ext: string,
      interval: string,
    ): Promise<void> {
      const id = await rowId(table, extColumn, ext);
      await db.asConnect(
        `UPDATE salesforce._trigger_log SET created_at = now() - $3::interval
          WHERE table_name = $1 AND record_id = $2`,
        [table, id, interval],
      );
    },
  };
}
