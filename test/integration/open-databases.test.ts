import { describe, expect, it } from 'vitest';
import { openDatabases as open } from '../../src/ops/databases.js';
import { DatabaseError } from '../../src/errors.js';
import { useFixtureDatabases } from '../support/databases.js';
import { fixtureConfig } from '../support/configs.js';
import { waitFor } from '../support/cli.js';
import { adminQuery } from '../support/sessions.js';

const db = useFixtureDatabases();
const NOWHERE = 'postgres://sfsync:pw@127.0.0.1:1/nowhere';
const pools = { maxConnections: 2, purposes: { source: 'open-test', mirror: 'open-test' } };

/** Sessions that sfsync's test pools hold open on the database of this URL. */
async function sessionsOn(url: string): Promise<number> {
  const { rows } = await adminQuery(
    url,
    `SELECT count(*)::int AS n FROM pg_stat_activity
      WHERE datname = current_database() AND application_name LIKE 'sfsync/%/open-test'`,
  );
  return rows[0].n;
}

/** Waits for the pool on this side to be gone: within 3 s, well under its 10 s idle timeout. */
async function closedOn(url: string, side: 'source' | 'mirror'): Promise<void> {
  await waitFor(async () => (await sessionsOn(url)) === 0, `the ${side} pool to close`, 3_000);
}

async function failure(sourceUrl: string, mirrorUrl: string): Promise<DatabaseError> {
  const error = await open(fixtureConfig({ sourceUrl, mirrorUrl }), pools).catch((e) => e);
  expect(error).toBeInstanceOf(DatabaseError);
  return error;
}

describe('opening both databases at once', () => {
  it('opens both, each with its catalog, and closes both', async () => {
    const dbs = await open(fixtureConfig(db), pools);
    expect(dbs.sourceCatalog.tables.size).toBeGreaterThan(0);
    expect(dbs.mirrorCatalog.tables.size).toBeGreaterThan(0);
    expect(await sessionsOn(db.sourceUrl)).toBe(1);
    expect(await sessionsOn(db.mirrorUrl)).toBe(1);
    await dbs.close();
    await closedOn(db.sourceUrl, 'source');
    await closedOn(db.mirrorUrl, 'mirror');
  });

  it('closes the source it opened when the mirror cannot be reached', async () => {
    const error = await failure(db.sourceUrl, NOWHERE);
    expect(error.message).toMatch(/^cannot connect to the mirror database \(127\.0\.0\.1:1\//);
    await closedOn(db.sourceUrl, 'source');
  });

  it('closes the mirror it opened when the source cannot be reached', async () => {
    const error = await failure(NOWHERE, db.mirrorUrl);
    expect(error.message).toMatch(/^cannot connect to the source database \(127\.0\.0\.1:1\//);
    await closedOn(db.mirrorUrl, 'mirror');
  });

  it('names the source when neither can be reached, as when it was opened first', async () => {
    const error = await failure(NOWHERE, `${NOWHERE}2`);
    expect(error.message).toMatch(/^cannot connect to the source database/);
  });
});
