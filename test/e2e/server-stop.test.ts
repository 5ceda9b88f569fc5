import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  startEmbeddedPostgres,
  type EmbeddedPostgres,
} from '../../src/db/server/embedded-postgres.js';
import { createDatabases, withDatabase } from '../../src/db/server/create-databases.js';
import { runSqlFile } from '../../src/db/driver/run-sql-file.js';
import { startCli, waitFor } from '../support/cli.js';
import { fixtureConfigObject } from '../support/config-text.js';
import { CONNECT_RUNTIME_SQL, FIXTURE_DIR } from '../support/paths.js';
import { adminQuery } from '../support/sessions.js';

/**
 * The database server itself stops (a restart, a failover) while an audit reads: exit 3, one line,
 * no stack.
 */
let server: EmbeddedPostgres;
let source: string;
let mirror: string;

beforeAll(async () => {
  server = await startEmbeddedPostgres();
  await createDatabases(server.url, ['app', 'connect']);
  source = withDatabase(server.url, 'app');
  mirror = withDatabase(server.url, 'connect');
  await runSqlFile(source, `${FIXTURE_DIR}/source.sql`);
  await runSqlFile(mirror, CONNECT_RUNTIME_SQL);
  await runSqlFile(mirror, `${FIXTURE_DIR}/mirror.sql`);
  await adminQuery(
    source,
    `INSERT INTO schools (id, name, country_code)
      SELECT gen_random_uuid(), 'School ' || i, 'gb' FROM generate_series(1, 20) i`,
  );
}, 60_000);

let configDir: string | undefined;

afterAll(async () => {
  if (configDir) rmSync(configDir, { recursive: true, force: true });
  await server?.stop();
});

describe('a database server that stops during an audit', () => {
  it('exits 3 with one line naming a database, not a crash', async () => {
    const raw = fixtureConfigObject();
    // Each school row takes 0.2 s to read, so the server can be stopped while the audit is at it.
    raw.entities[0].fields.name = { sql: 'concat(src.name, pg_sleep(0.2))' };
    configDir = mkdtempSync(join(tmpdir(), 'sfsync-server-stop-'));
    const config = join(configDir, 'sfsync.config.json');
    writeFileSync(config, JSON.stringify(raw));
    const running = startCli(['audit', '--config', config], {
      env: { DATABASE_URL: source, SALESFORCE_CONNECT_DB: mirror },
    });
    await waitFor(
      async () =>
        (
          await adminQuery(
            source,
            // The slow read itself: stopped any earlier (while sfsync reads the catalogs), the
            // mirror's session may not be open yet, and the one line is "cannot connect".
            `SELECT count(*)::int AS n FROM pg_stat_activity
              WHERE application_name LIKE 'sfsync%' AND state = 'active'
                AND query LIKE '%pg_sleep%'`,
          )
        ).rows[0].n > 0,
      'the audit to read schools',
    );
    await server.stop();
    const result = await running.exited;
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(
      /^sfsync: (source|mirror) database \(127\.0\.0\.1:\d+\/(app|connect)\): [^\n]+\n$/,
    );
    expect(result.stderr).not.toMatch(/Unhandled|\n\s+at /);
    if (process.env.SFSYNC_SHOW_OUTPUT) console.log(result.stderr);
  });
});
