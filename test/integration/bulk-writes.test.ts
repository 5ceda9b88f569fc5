import { beforeEach, describe, expect, it } from 'vitest';
import { runRepair, type RepairResult } from '../support/repair.js';
import { logicalState } from '../support/campaign.js';
import { fixtureConfig, repairOptions } from '../support/configs.js';
import { connectActor } from '../support/connect-actor.js';
import { beforeFirstWrite } from '../support/races.js';
import { useFixtureDatabases } from '../support/databases.js';
import { buildAuditScenario, u } from '../support/editor-scenario.js';

// A batch's inserts and re-inserts are written together (apply-in-bulk.ts);
// with --batch-size 1 every row goes alone. Both must end the same way.

const db = useFixtureDatabases();
const config = () => fixtureConfig(db);
const LOCK_ERROR = 'UNABLE_TO_LOCK_ROW:unable to obtain exclusive access to this record:--';

/**
 * The journal as a sorted list, without what differs between two equal runs (run, row ids, times).
 */
async function journalEntries(): Promise<string[]> {
  const { rows } = await db.mirror(
    `SELECT entity, action, key, (before - 'id' - 'systemmodstamp')::text AS before,
            (after - 'id' - 'systemmodstamp')::text AS after, adjusted::text AS adjusted
       FROM sfsync.journal ORDER BY id`,
  );
  return rows.map((r) => JSON.stringify(r)).sort();
}

/** What Connect was asked to do: trigger-log entries by table and action. */
async function captured(): Promise<string[]> {
  const { rows } = await db.mirror(
    `SELECT table_name, action, count(*)::int AS n FROM salesforce._trigger_log
      WHERE state = 'NEW' GROUP BY 1, 2 ORDER BY 1, 2`,
  );
  return rows.map((r) => `${r.table_name} ${r.action} ${r.n}`);
}

const outcomes = (result: RepairResult) =>
  result.actions
    .map((a) => `${a.entity} ${a.key} ${a.action} ${a.status} ${a.detail ?? ''}`)
    .sort();

describe('bulk writes', () => {
  beforeEach(() => db.reset());

  it('end in the same mirror, journal, trigger log and outcomes as one row at a time', async () => {
    const runs = [];
    for (const batchSize of [500, 1]) {
      await db.reset();
      await buildAuditScenario(db);
      // More rows than the scenario has, so that every entity's batch holds several inserts and
      // re-inserts.
      for (let n = 60; n < 70; n++)
        await db.source(`INSERT INTO schools (id, name, country_code) VALUES ($1, $2, 'gb')`, [
          u(n),
          `School ${n}`,
        ]);
      // A name longer than the mirror's varchar(80): cut, and the cut journaled as an adjustment.
      await db.source(`INSERT INTO schools (id, name, country_code) VALUES ($1, $2, 'gb')`, [
        u(70),
        `School ${'x'.repeat(90)}`,
      ]);
      const result = await runRepair(config(), repairOptions({ batchSize }));
      runs.push({
        outcomes: outcomes(result),
        state: await logicalState(db.mirrorUrl),
        journal: await journalEntries(),
        captured: await captured(),
      });
    }
    // The fake sfids the scenario's Connect hands out count up across both builds.
    const [bulk, single] = runs.map((run) =>
      JSON.parse(JSON.stringify(run).replace(/\b\w{3}\d{12}AAA\b/g, 'SFID')),
    );
    expect(
      bulk.outcomes.filter((o: string) => / (insert|reinsert) done/.test(o)).length,
    ).toBeGreaterThan(10);
    expect(
      bulk.journal.filter(
        (entry: string) => entry.includes(u(70)) && !entry.includes('"adjusted":null'),
      ),
    ).toHaveLength(1);
    expect(bulk).toEqual(single);
  });

  it('re-check at write: skip rows new or synced since the audit, write the rest', async () => {
    const connect = connectActor(db);
    const keys = [50, 51, 52, 53, 54, 55].map(u);
    for (const [i, key] of keys.entries())
      await db.source(`INSERT INTO schools (id, name, country_code) VALUES ($1, $2, 'gb')`, [
        key,
        `School ${i}`,
      ]);
    // 50–52 absent; 53–55 FAILED with a retryable error.
    for (const key of keys.slice(3)) {
      await db.mirror(
        `INSERT INTO salesforce.editor__c (editoruuid__c, name, country__c)
          VALUES ($1, 'old', 'GB')`,
        [key],
      );
      await connect.failed('editor__c', 'editoruuid__c', key, LOCK_ERROR);
    }
    const race = beforeFirstWrite(async () => {
      await db.mirror(
        `INSERT INTO salesforce.editor__c (editoruuid__c, name) VALUES ($1, 'written by the app')`,
        [u(50)],
      );
      await connect.inserted('editor__c', 'editoruuid__c', u(53));
      await db.mirror(
        `UPDATE salesforce.editor__c SET name = 'rewritten' WHERE editoruuid__c = $1`,
        [u(54)],
      );
    });
    const inserts: string[] = [];
    const result = await runRepair(config(), {
      ...repairOptions({ entities: ['school'] }),
      onQuery: async (event) => {
        if (event.database === 'mirror' && /insert into "salesforce"\."editor__c"/.test(event.sql))
          inserts.push(event.sql);
        await race(event);
      },
    });
    // Re-checked on the bulk path: a fallback to row by row would have sent one insert per row.
    expect(inserts).toHaveLength(1);
    const status = (key: string) => result.actions.find((a) => a.key === key);
    expect(status(u(50))).toMatchObject({
      action: 'insert',
      status: 'skipped',
      detail: expect.stringMatching(/appeared since the audit/),
    });
    expect(status(u(51))).toMatchObject({ action: 'insert', status: 'done' });
    expect(status(u(52))).toMatchObject({ action: 'insert', status: 'done' });
    expect(status(u(53))).toMatchObject({
      action: 'reinsert',
      status: 'skipped',
      detail: expect.stringMatching(/already has an sfid/),
    });
    expect(status(u(54))).toMatchObject({
      action: 'reinsert',
      status: 'skipped',
      detail: expect.stringMatching(/changed since the audit/),
    });
    expect(status(u(55))).toMatchObject({ action: 'reinsert', status: 'done' });

    const { rows } = await db.mirror(
      `SELECT editoruuid__c AS key, name, sfid IS NOT NULL AS synced, _hc_lastop
        FROM salesforce.editor__c WHERE editoruuid__c = ANY($1) ORDER BY 1, id`,
      [keys],
    );
    expect(
      rows.map((r) => `${keys.indexOf(r.key) + 50} ${r.name} ${r.synced} ${r._hc_lastop}`),
    ).toEqual([
      '50 written by the app false PENDING',
      '51 School 1 false PENDING',
      '52 School 2 false PENDING',
      '53 old true SYNCED',
      '54 rewritten false PENDING',
      '55 School 5 false PENDING',
    ]);
    const journal = await db.mirror(
      `SELECT action, key, before->>'name' AS before, after->>'name' AS after
        FROM sfsync.journal ORDER BY id`,
    );
    expect(journal.rows).toEqual([
      { action: 'delete', key: u(55), before: 'old', after: null },
      { action: 'insert', key: u(51), before: null, after: 'School 1' },
      { action: 'insert', key: u(52), before: null, after: 'School 2' },
      { action: 'insert', key: u(55), before: null, after: 'School 5' },
    ]);
  });

  it('a rejected row fails alone: its batch goes row by row, written rows journaled', async () => {
    await db.mirror(
      `ALTER TABLE salesforce.editor__c
        ADD CONSTRAINT no_test_schools CHECK (name NOT LIKE 'Test%')`,
    );
    const keys = [70, 71, 72, 73].map(u);
    for (const [i, key] of keys.entries()) {
      await db.source(`INSERT INTO schools (id, name, country_code) VALUES ($1, $2, 'gb')`, [
        key,
        i === 2 ? 'Test School' : `School ${i}`,
      ]);
    }
    const result = await runRepair(
      config(),
      repairOptions({ entities: ['school'], only: ['absent'] }),
    );
    expect(result.actions.map((a) => `${keys.indexOf(a.key) + 70} ${a.status}`).sort()).toEqual([
      '70 done',
      '71 done',
      '72 failed',
      '73 done',
    ]);
    const journal = await db.mirror(`SELECT action, key FROM sfsync.journal ORDER BY id`);
    expect(journal.rows).toEqual([u(70), u(71), u(73)].map((key) => ({ action: 'insert', key })));
    const { rows } = await db.mirror(
      `SELECT count(*)::int AS n FROM salesforce.editor__c WHERE editoruuid__c = ANY($1)`,
      [keys],
    );
    expect(rows[0].n).toBe(3);
  });
  it.each([
    { path: 'in bulk', batchSize: 500, message: '2 of 3', committed: [] as number[] },
    { path: 'row by row', batchSize: 1, message: '0 of 1', committed: [80] },
  ])(
    'stop the run when a trigger on the mirror table skips a row ($path): ' +
      'the journal could not say which row is which',
    async ({ batchSize, message, committed }) => {
      await db.mirror(`CREATE FUNCTION salesforce.skip_ghosts() RETURNS trigger
      LANGUAGE plpgsql AS $$
      BEGIN IF NEW.name LIKE 'Ghost%' THEN RETURN NULL; END IF; RETURN NEW; END $$`);
      await db.mirror(
        `CREATE TRIGGER skip_ghosts BEFORE INSERT ON salesforce.editor__c
          FOR EACH ROW EXECUTE FUNCTION salesforce.skip_ghosts()`,
      );
      const keys = [80, 81, 82].map(u);
      await db.source(
        `INSERT INTO schools (id, name, country_code)
          VALUES ($1, 'Real A', 'gb'), ($2, 'Ghost B', 'gb'), ($3, 'Real C', 'gb')`,
        keys,
      );
      const run = runRepair(
        config(),
        repairOptions({ entities: ['school'], only: ['absent'], batchSize }),
      );
      await expect(run).rejects.toMatchObject({
        database: 'mirror',
        message:
          `the mirror table editor__c inserted ${message} rows ` +
          '(does a trigger on it skip rows?): the batch was rolled back and the run stopped',
      });
      // What a batch before the skipped row committed stands, journaled under its own key; nothing
      // after it.
      const { rows } = await db.mirror(
        `SELECT editoruuid__c AS key, name FROM salesforce.editor__c
          WHERE editoruuid__c = ANY($1) ORDER BY 1`,
        [keys],
      );
      expect(rows).toEqual(committed.map((n) => ({ key: u(n), name: 'Real A' })));
      const journal = await db.mirror(
        `SELECT key, after->>'name' AS name FROM sfsync.journal
          WHERE action = 'insert' ORDER BY id`,
      );
      expect(journal.rows).toEqual(rows);
    },
  );
});
