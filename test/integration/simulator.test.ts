import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runRepair } from '../support/repair.js';
import { ConnectSimulator } from '../../src/sim/simulator.js';
import { SIM_FAULT_CODES } from '../../src/sim/fault-texts.js';
import { parseHcError } from '../../src/core/connect/hc-error.js';
import { useFixtureDatabases } from '../support/databases.js';
import { u } from '../support/editor-scenario.js';
import { fixtureConfig } from '../support/configs.js';

const db = useFixtureDatabases();
const config = () => fixtureConfig(db);
let sim: ConnectSimulator;

beforeAll(async () => {
  sim = await ConnectSimulator.open(config(), config().mirror, {
    failRate: 0,
    seed: 1,
    latencyMs: 0,
    batchSize: 100,
  });
  await db.asConnect(
    `INSERT INTO salesforce.contact (pi_accounts_unique_id__c, sfid, lastname)
      VALUES ($1, '003000000000001AAA', 'Upstream')`,
    [u(101)],
  );
});
afterAll(async () => {
  await sim.close();
});

describe('the Connect simulator', () => {
  it('a child beating its parent to Salesforce fails for good, with the exact text', async () => {
    await db.source(
      `INSERT INTO schools (id, name, country_code) VALUES ($1, 'Race School', 'gb')`,
      [u(1)],
    );
    await db.source(`INSERT INTO roles (id, school_id, user_id, role) VALUES (1, $1, $2, 1)`, [
      u(1),
      u(101),
    ]);
    // The role's job runs first: its row reaches the trigger log before the school's.
    await db.mirror(
      `INSERT INTO salesforce.contact_editor_affiliation__c (affiliation_id__c,
        editor__r__editoruuid__c, contact__r__pi_accounts_unique_id__c, roletype__c)
        VALUES ('1', $1, $2, 'teacher')`,
      [u(1), u(101)],
    );
    await db.mirror(
      `INSERT INTO salesforce.editor__c (editoruuid__c, name, country__c)
        VALUES ($1, 'Race School', 'GB')`,
      [u(1)],
    );
    expect(await sim.drain()).toBe(2);

    const role = await db.mirror(
      `SELECT sfid, _hc_lastop, _hc_err FROM salesforce.contact_editor_affiliation__c
        WHERE affiliation_id__c = '1'`,
    );
    expect(role.rows[0]).toEqual({
      sfid: null,
      _hc_lastop: 'FAILED',
      _hc_err:
        `Foreign key external ID: ${u(1)} ` +
        'not found for field Editoruuid__c in entity Editor__c',
    });
    const school = await db.mirror(
      `SELECT sfid, _hc_lastop, systemmodstamp FROM salesforce.editor__c WHERE editoruuid__c = $1`,
      [u(1)],
    );
    expect(school.rows[0]).toMatchObject({
      sfid: expect.stringMatching(/^a0[A-Za-z][0-9A-Za-z]{12}[A-Z0-5]{3}$/),
      _hc_lastop: 'SYNCED',
    });
    expect(school.rows[0].systemmodstamp).toBeInstanceOf(Date);

    const log = await db.mirror(
      `SELECT table_name, state FROM salesforce._trigger_log_archive ORDER BY id`,
    );
    expect(log.rows).toEqual([
      { table_name: 'contact_editor_affiliation__c', state: 'FAILED' },
      { table_name: 'editor__c', state: 'SUCCESS' },
    ]);
    expect(
      (await db.mirror(`SELECT count(*)::int AS n FROM salesforce._trigger_log`)).rows[0].n,
    ).toBe(0);
    // Never retried: another drain finds nothing to do.
    expect(await sim.drain()).toBe(0);
  });

  it('syncs the child once sfsync repair re-inserts it', async () => {
    const result = await runRepair(config(), {
      command: 'repair',
      entities: ['role'],
      dryRun: false,
      strategy: 'reinsert',
      batchSize: 100,
      concurrency: 1,
      staleMs: 1_800_000,
      commandLine: 'test',
    });
    expect(result.actions.map((a) => `${a.entity}:${a.key}:${a.action}:${a.status}`)).toEqual([
      'role:1:reinsert:done',
    ]);
    await sim.drain();
    const role = await db.mirror(
      `SELECT sfid, _hc_lastop FROM salesforce.contact_editor_affiliation__c
        WHERE affiliation_id__c = '1'`,
    );
    expect(role.rows).toEqual([{ sfid: expect.any(String), _hc_lastop: 'SYNCED' }]);
    const ignored = await db.mirror(
      `SELECT action, state FROM salesforce._trigger_log_archive
        WHERE table_name = 'contact_editor_affiliation__c' ORDER BY id`,
    );
    expect(ignored.rows.map((r) => `${r.action}:${r.state}`)).toEqual([
      'INSERT:FAILED',
      'DELETE:IGNORE',
      'INSERT:SUCCESS',
    ]);
  });

  it('updates and deletes the org record of a synced row', async () => {
    await db.mirror(
      `UPDATE salesforce.editor__c SET name = 'Renamed School' WHERE editoruuid__c = $1`,
      [u(1)],
    );
    await sim.drain();
    const {
      rows: [school],
    } = await db.mirror(
      `SELECT sfid, _hc_lastop FROM salesforce.editor__c WHERE editoruuid__c = $1`,
      [u(1)],
    );
    expect(school._hc_lastop).toBe('SYNCED');
    const org = await db.mirror(
      `SELECT fields->>'name' AS name FROM sfsync_sim.records WHERE sfid = $1`,
      [school.sfid],
    );
    expect(org.rows).toEqual([{ name: 'Renamed School' }]);
    await db.mirror(`DELETE FROM salesforce.editor__c WHERE editoruuid__c = $1`, [u(1)]);
    await sim.drain();
    expect(
      (
        await db.mirror(`SELECT count(*)::int AS n FROM sfsync_sim.records WHERE sfid = $1`, [
          school.sfid,
        ])
      ).rows[0].n,
    ).toBe(0);
  });

  it('fails a second record with the same external ID as DUPLICATE_VALUE', async () => {
    await db.mirror(`DROP INDEX salesforce.hcu_idx_classroom__c_classroomuuid__c`);
    await db.mirror(
      `INSERT INTO salesforce.editor__c (editoruuid__c, name) VALUES ($1, 'Parent')`,
      [u(2)],
    );
    await db.mirror(
      `INSERT INTO salesforce.classroom__c (classroomuuid__c, editor__r__editoruuid__c)
        VALUES ($1, $2), ($1, $2)`,
      [u(50), u(2)],
    );
    await sim.drain();
    const rows = await db.mirror(
      `SELECT sfid IS NOT NULL AS synced, _hc_lastop, _hc_err FROM salesforce.classroom__c
        ORDER BY id`,
    );
    expect(rows.rows[0]).toMatchObject({ synced: true, _hc_lastop: 'SYNCED' });
    expect(rows.rows[1]).toMatchObject({
      synced: false,
      _hc_lastop: 'FAILED',
      _hc_err: expect.stringMatching(
        /^duplicate value found: Classroomuuid__c duplicates value on record with id: a0/,
      ),
    });
  });

  it('injects every failure of --fail-codes, in the text Connect stores for it', async () => {
    const faulty = await ConnectSimulator.open(config(), config().mirror, {
      failRate: 0.95,
      failCodes: SIM_FAULT_CODES,
      seed: 7,
      latencyMs: 0,
      batchSize: 100,
    });
    const keys = Array.from({ length: 120 }, (_, i) => u(3000 + i));
    for (const key of keys)
      await db.mirror(
        `INSERT INTO salesforce.editor__c (editoruuid__c, name) VALUES ($1, 'Faulty')`,
        [key],
      );
    await faulty.drain();
    await faulty.close();
    const { rows } = await db.mirror(
      `SELECT _hc_lastop, _hc_err FROM salesforce.editor__c WHERE editoruuid__c = ANY($1)`,
      [keys],
    );
    const failed = rows.filter((r) => r._hc_lastop === 'FAILED');
    const codes = new Set(failed.map((r) => parseHcError(r._hc_err as string)!.code));
    // 120 writes at 0.95 over 13 failures: every one is drawn (seeded, so always the same).
    expect([...codes].sort()).toEqual([...SIM_FAULT_CODES].sort());
    expect(failed.length).toBeLessThan(rows.length);
  });

  it('injects UNABLE_TO_LOCK_ROW reproducibly with --fail-rate and --seed', async () => {
    const outcomes: string[][] = [];
    for (const round of [0, 1]) {
      const flaky = await ConnectSimulator.open(config(), config().mirror, {
        failRate: 0.5,
        seed: 99,
        latencyMs: 0,
        batchSize: 100,
      });
      for (let i = 0; i < 10; i++)
        await db.mirror(
          `INSERT INTO salesforce.editor__c (editoruuid__c, name) VALUES ($1, 'Flaky')`,
          [u(1000 + round * 100 + i)],
        );
      await flaky.drain();
      await flaky.close();
      const { rows } = await db.mirror(
        `SELECT coalesce(_hc_err, 'ok') AS e FROM salesforce.editor__c
          WHERE editoruuid__c = ANY($1) ORDER BY editoruuid__c`,
        [Array.from({ length: 10 }, (_, i) => u(1000 + round * 100 + i))],
      );
      outcomes.push(rows.map((r) => r.e));
    }
    expect(outcomes[0]).toEqual(outcomes[1]);
    expect(outcomes[0]).toContain('unable to obtain exclusive access to this record');
    expect(outcomes[0]).toContain('ok');
  });
});
