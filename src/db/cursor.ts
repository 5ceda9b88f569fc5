import { sql, type RawBuilder, type Transaction } from 'kysely';

let cursorCount = 0;

/**
 * Streams a query's rows through a server-side cursor, `batchSize` at a time,
 * so an audit of millions of rows holds one batch in memory, not the table.
 * Must run inside a transaction (cursors live as long as it does).
 */
export async function* streamRows<Row>(
  trx: Transaction<any>,
  query: RawBuilder<Row>,
  batchSize = 5_000,
): AsyncGenerator<Row> {
  const name = sql.id(`sfsync_cursor_${++cursorCount}`);
  await sql`declare ${name} no scroll cursor for ${query}`.execute(trx);
  try {
    for (;;) {
      const { rows } = await sql<Row>`fetch forward ${sql.raw(String(batchSize))} from ${name}`.execute(trx);
      yield* rows;
      if (rows.length < batchSize) return;
    }
  } finally {
    await sql`close ${name}`.execute(trx).catch(() => undefined);
  }
}
