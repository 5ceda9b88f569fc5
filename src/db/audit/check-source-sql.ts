import { sql } from 'kysely';
import type { WritableEntity } from '../../config/types.js';
import type { AnyDb } from '../driver/connect.js';
import { serverMessage } from '../driver/sqlstate.js';
import { readOnlyTransaction } from '../driver/transactions.js';
import { sourceRowsQuery } from './source-query.js';

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
  schema: string,
  entities: readonly WritableEntity[],
): Promise<Map<string, string>> {
  const failures = new Map<string, string>();
  for (const entity of entities) {
    try {
      await readOnlyTransaction(db, (trx) =>
        sql`explain ${sourceRowsQuery(entity, schema)}`.execute(trx),
      );
    } catch (error) {
      failures.set(entity.name, serverMessage(error));
    }
  }
  return failures;
}
