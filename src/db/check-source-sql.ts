import { sql } from 'kysely';
import type { WritableEntity } from '../config/types.js';
import { pgErrorText, type AnyDb } from './connect.js';
import { sourceRowsQuery } from './source-query.js';

/**
 * Plans (never runs) each entity's source query, so a typo in a trusted `where`
 * or `{ "sql": … }` fragment surfaces in doctor rather than mid-audit.
 * Returns the PostgreSQL error per entity whose query does not compile.
 */
export async function checkSourceSql(db: AnyDb, schema: string, entities: readonly WritableEntity[]): Promise<Map<string, string>> {
  const failures = new Map<string, string>();
  for (const entity of entities) {
    try {
      await sql`explain ${sourceRowsQuery(entity, schema)}`.execute(db);
    } catch (error) {
      failures.set(entity.name, pgErrorText(error));
    }
  }
  return failures;
}
