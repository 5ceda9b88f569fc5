import { readFileSync } from 'node:fs';
import pg from 'pg';
import { DatabaseError } from '../errors.js';
import { pgErrorText } from './connect.js';
import { describeUrl } from './describe-url.js';

/** Runs a whole SQL script (several statements, DO blocks, functions) in one transaction. */
export async function runSqlFile(url: string, file: string): Promise<void> {
  await runSql(url, readFileSync(file, 'utf8'), file);
}

export async function runSql(url: string, script: string, what = 'SQL script'): Promise<void> {
  const client = new pg.Client({ connectionString: url, application_name: 'sfsync' });
  try {
    await client.connect();
    // The simple query protocol (no parameters) accepts many statements at once.
    await client.query(`SET client_min_messages = warning;\nBEGIN;\n${script}\n;COMMIT;`);
  } catch (error) {
    throw new DatabaseError(`${what} failed on ${describeUrl(url)}: ${pgErrorText(error)}`);
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** The URL of another database on the same server. */
export function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${encodeURIComponent(database)}`;
  return parsed.toString();
}

/** CREATE DATABASE for each name (it cannot run inside a transaction, so not through runSql). */
export async function createDatabases(adminUrl: string, names: readonly string[], template = 'template0'): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl, application_name: 'sfsync' });
  try {
    await client.connect();
    for (const name of names) {
      await client.query(`CREATE DATABASE ${client.escapeIdentifier(name)} TEMPLATE ${client.escapeIdentifier(template)}`);
    }
  } catch (error) {
    throw new DatabaseError(`creating databases on ${describeUrl(adminUrl)} failed: ${pgErrorText(error)}`);
  } finally {
    await client.end().catch(() => undefined);
  }
}
