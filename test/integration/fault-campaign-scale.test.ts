import { describe, expect, it } from 'vitest';
import type { QueryEvent } from '../../src/db/driver/pool-adapter.js';
import { SfsyncError } from '../../src/errors.js';
import { seededRandom } from '../../src/sim/random.js';
import { backfillHooks } from '../../src/ops/repair/backfill.js';
import { runRepair } from '../../src/ops/repair/repair.js';
import { statusCounts } from '../../src/core/repair/result.js';
import { oneEntityConfig, repairOptions } from '../support/configs.js';
import { safetyViolations, snapshot } from '../support/campaign.js';
import { useFixtureDatabases } from '../support/databases.js';
import { terminateSessions } from '../support/sessions.js';

/**
 * The fault campaign at production scale: a backfill of 200,000 absent rows in
 * one entity, its mirror sessions terminated before a seeded commit, then the
 * next cron job's run. Every invariant must hold, and the two runs together
 * must write each row exactly once.
 */
const ROWS = 200_000;
const BATCH = 2_000;
const db = useFixtureDatabases();
const config = () =>
  oneEntityConfig(
    {
      name: 'school',
      source: { table: 'schools', key: 'id' },
      mirror: { table: 'editor__c', externalId: 'editoruuid__c' },
      fields: { name: 'name' },
    },
    db,
  );
const options = (extra: object = {}) =>
  repairOptions({
    command: 'backfill',
    batchSize: BATCH,
    concurrency: 1,
    commandLine: 'sfsync backfill --yes',
    backfill: backfillHooks(false),
    ...extra,
  });

describe(`the fault campaign at scale: ${ROWS.toLocaleString('en')} rows`, () => {
  it('backfill sessions die before a seeded commit: nothing lost, a rerun writes the rest once', {
    timeout: 300_000,
  }, async () => {
    await db.source(
      `INSERT INTO schools (id, name, country_code)
        SELECT md5('s' || i)::uuid, 'School ' || i, 'gb' FROM generate_series(1, ${ROWS}) AS i`,
    );
    const before = await snapshot(db.mirrorUrl);
    // Between the 10th and the 90th of the ~100 batch commits.
    const strike = 10 + Math.floor(seededRandom(18)() * 80);
    let commits = 0;
    const onQuery = async (event: QueryEvent) => {
      if (
        event.database === 'mirror' &&
        event.purpose === 'write' &&
        /^commit/i.test(event.sql) &&
        ++commits === strike
      ) {
        await terminateSessions(db.mirrorUrl, 'sfsync/mirror/write');
      }
    };
    const faulted = await runRepair(config(), options({ onQuery })).then(
      () => 'done',
      (error: unknown) => (error instanceof SfsyncError ? error.kind : Promise.reject(error)),
    );
    expect(faulted).toBe('database');
    const written = (await db.mirror(`SELECT count(*)::int AS n FROM salesforce.editor__c`)).rows[0]
      .n as number;
    // Whole batches are in (the struck one rolled back), each journaled with its rows.
    expect(written).toBeGreaterThan(0);
    expect(written).toBeLessThan(ROWS);
    expect(written % BATCH).toBe(0);
    const journaled = await db.mirror(
      `SELECT count(*)::int AS n FROM sfsync.journal WHERE action = 'insert'`,
    );
    expect(journaled.rows[0].n).toBe(written);
    expect(await safetyViolations(before, db.mirrorUrl)).toEqual([]);

    const rerun = await runRepair(config(), options());
    expect(statusCounts(rerun.summary)).toMatchObject({
      done: ROWS - written,
      failed: 0,
      skipped: 0,
    });
    expect(await safetyViolations(before, db.mirrorUrl)).toEqual([]);
    const { rows } = await db.mirror(
      `SELECT count(*)::int AS n, count(DISTINCT editoruuid__c)::int AS keys
        FROM salesforce.editor__c`,
    );
    expect(rows).toEqual([{ n: ROWS, keys: ROWS }]);
    const journal = await db.mirror(
      `SELECT count(*)::int AS n FROM sfsync.journal WHERE action = 'insert'`,
    );
    expect(journal.rows[0].n).toBe(ROWS);
  });
});
