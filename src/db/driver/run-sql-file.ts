import { readFileSync } from 'node:fs';
import pg from 'pg';
import { DatabaseError } from '../../errors.js';
import { serverMessage } from './sqlstate.js';
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
    throw new DatabaseError(`${what} failed on ${describeUrl(url)}: ${serverMessage(error)}`);
  } finally {
    await client.end().catch(() => undefined);
  }
}
