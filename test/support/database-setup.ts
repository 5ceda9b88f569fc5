import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { createDatabases, withDatabase } from '../../src/db/server/create-databases.js';
import {
  startEmbeddedPostgres,
  type EmbeddedPostgres,
} from '../../src/db/server/embedded-postgres.js';
import { runSqlFile } from '../../src/db/driver/run-sql-file.js';
import { CONNECT_RUNTIME_SQL, FIXTURE_DIR } from './paths.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Superuser URL of the test server (SFSYNC_TEST_DATABASE_URL, or an embedded server). */
    pgAdminUrl: string;
    /** Databases holding the loaded editor-api fixtures, to copy per test file. */
    fixtureTemplates: { source: string; mirror: string };
  }
}

/**
 * One PostgreSQL server for the whole run: a real one, started here unless
 * SFSYNC_TEST_DATABASE_URL names one. The fixtures are loaded once into template
 * databases; each test file copies them (see databases.ts).
 */
export async function startTestDatabase(project: TestProject): Promise<() => Promise<void>> {
  const external = process.env.SFSYNC_TEST_DATABASE_URL;
  const server: EmbeddedPostgres | undefined = external ? undefined : await startEmbeddedPostgres();
  const adminUrl = external ?? server!.url;

  const run = randomBytes(4).toString('hex');
  const templates = { source: `sfsync_tpl_source_${run}`, mirror: `sfsync_tpl_mirror_${run}` };
  await createDatabases(adminUrl, Object.values(templates));
  await runSqlFile(withDatabase(adminUrl, templates.source), `${FIXTURE_DIR}/source.sql`);
  await runSqlFile(withDatabase(adminUrl, templates.mirror), CONNECT_RUNTIME_SQL);
  await runSqlFile(withDatabase(adminUrl, templates.mirror), `${FIXTURE_DIR}/mirror.sql`);

  project.provide('pgAdminUrl', adminUrl);
  project.provide('fixtureTemplates', templates);

  return async () => {
    if (server) {
      await server.stop();
      return;
    }
    const cleanup = new pg.Client({ connectionString: adminUrl });
    await cleanup.connect();
    for (const name of Object.values(templates)) {
      await cleanup.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    }
    await cleanup.end();
  };
}

export default startTestDatabase;
