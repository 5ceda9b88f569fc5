import { sql } from 'kysely';
import type { AnyDb } from '../driver/connect.js';
import { serverMessage } from '../driver/sqlstate.js';
import { readOnlyTransaction } from '../driver/transactions.js';
import { sourceRowsQuery } from './source-query.js';
import type { SourceTable } from '../entity-tables.js';

/**
 * Plans (never runs) each entity's source query, so a typo in a trusted `where`
 * or `{ "sql": … }` fragment surfaces in doctor rather than mid-audit.
 * Returns the PostgreSQL error per entity whose query does not compile.
 * Each EXPLAIN is one statement (the extended protocol, see pool-adapter.ts)
 * in a READ ONLY transaction of its own, so a fragment can neither add a
 * statement nor write.
 */
export async function checkSourceSql(
  db: AnyDb,
  sources: readonly SourceTable[],
): Promise<Map<string, string>> {
  const failures = new Map<string, string>();
  for (const source of sources) {
    try {
      await readOnlyTransaction(db, (trx) => sql`explain ${sourceRowsQuery(source)}`.execute(trx));
    } catch (error) {
      failures.set(source.entity.name, serverMessage(error));
    }
  }
  return failures;
}
