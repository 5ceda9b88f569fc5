import { sql, type RawBuilder, type Transaction } from 'kysely';

let cursorCount = 0;

/**
 * Streams a query's rows through a server-side cursor in batches, so an audit
 * of millions of rows holds a batch or two in memory, not the table. The next
 * batch is requested before the current one is handed over, so the server
 * reads while the caller works. Must run inside a transaction (cursors live as
 * long as it does).
 */
export async function* streamBatches<Row>(trx: Transaction<any>, query: RawBuilder<Row>, batchSize = 5_000): AsyncGenerator<Row[]> {
  const name = sql.id(`sfsync_cursor_${++cursorCount}`);
  const fetch = () => sql<Row>`fetch forward ${sql.raw(String(batchSize))} from ${name}`.execute(trx).then((r) => r.rows);
  await sql`declare ${name} no scroll cursor for ${query}`.execute(trx);
  let pending: Promise<Row[]> | undefined;
  try {
    pending = fetch();
    for (;;) {
      const rows: Row[] = await pending;
      pending = rows.length < batchSize ? undefined : fetch();
      if (rows.length > 0) yield rows;
      if (!pending) return;
    }
  } finally {
    // A fetch still in flight (the caller stopped early) must finish before the cursor closes.
    await pending?.catch(() => undefined);
    await sql`close ${name}`.execute(trx).catch(() => undefined);
  }
}
