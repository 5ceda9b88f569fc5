import pg from 'pg';
import { DatabaseError } from '../../errors.js';
import { serverMessage } from '../driver/sqlstate.js';
import { describeUrl } from '../driver/describe-url.js';

/** The URL of another database on the same server. */
export function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${encodeURIComponent(database)}`;
  return parsed.toString();
}

/** CREATE DATABASE for each name (it cannot run inside a transaction, so not through runSql). */
export async function createDatabases(
  adminUrl: string,
  names: readonly string[],
  template = 'template0',
): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl, application_name: 'sfsync' });
  try {
    await client.connect();
    for (const name of names) {
      const database = client.escapeIdentifier(name);
      const source = client.escapeIdentifier(template);
      await client.query(`CREATE DATABASE ${database} TEMPLATE ${source}`);
    }
  } catch (error) {
    throw new DatabaseError(
      `creating databases on ${describeUrl(adminUrl)} failed: ${serverMessage(error)}`,
    );
  } finally {
    await client.end().catch(() => undefined);
  }
}
