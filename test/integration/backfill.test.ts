import { beforeAll, describe, expect, it } from 'vitest';
import { backfillHooks } from '../../src/ops/repair/backfill.js';
import { runRepair, type RepairOptions } from '../support/repair.js';
import { useFixtureDatabases } from '../support/databases.js';
import { u } from '../support/editor-scenario.js';
import { fixtureConfig } from '../support/configs.js';

const db = useFixtureDatabases();
const config = () => fixtureConfig(db);
const options = (extra: Partial<RepairOptions> = {}): RepairOptions => ({
  command: 'backfill',
  dryRun: false,
  strategy: 'reinsert',
  batchSize: 2,
  concurrency: 2,
  staleMs: 30 * 60_000,
  commandLine: 'sfsync backfill --yes',
  backfill: backfillHooks(false),
  ...extra,
});
const count = async (table: string) =>
  (await db.mirror(`SELECT count(*)::int AS n FROM salesforce.${table}`)).rows[0].n as number;

beforeAll(async () => {
  for (let i = 1; i <= 5; i++)
    await db.source(`INSERT INTO schools (id, name, country_code) VALUES ($1, $2, 'gb')`, [
      u(i),
      `School ${i}`,
    ]);
  for (let i = 1; i <= 3; i++)
    await db.source(`INSERT INTO school_classes (id, school_id, name) VALUES ($1, $2, 'Class')`, [
      u(100 + i),
      u(i),
    ]);
});

describe('backfill', () => {
  it('inserts only absent rows, and resumes after an interruption', async () => {
    const real = backfillHooks(false);
    let batches = 0;
    const interrupted = {
      ...real,
      beforeCommit: async (...args: Parameters<NonNullable<typeof real.beforeCommit>>) => {
        await real.beforeCommit!(...args);
        if (++batches === 2) throw new Error('simulated crash after two batches');
      },
    };
    await expect(
      runRepair(config(), options({ entities: ['school'], backfill: interrupted })),
    ).rejects.toThrow('simulated crash');
    // The first batch committed with its checkpoint; the second rolled back with its own.
    expect(await count('editor__c')).toBe(2);
    const checkpoint = await db.mirror(
      `SELECT last_key, done FROM sfsync.checkpoints WHERE entity = 'school'`,
    );
    expect(checkpoint.rows).toEqual([{ last_key: u(2), done: false }]);
    const runs = await db.mirror(`SELECT status FROM sfsync.runs`);
    expect(runs.rows).toEqual([{ status: 'aborted' }]);

    const resumed = await runRepair(config(), options({ entities: ['school'] }));
    expect(resumed.actions.map((a) => `${a.key}:${a.action}:${a.status}`)).toEqual([
      `${u(3)}:insert:done`,
      `${u(4)}:insert:done`,
      `${u(5)}:insert:done`,
    ]);
    expect(await count('editor__c')).toBe(5);
    expect(
      (await db.mirror(`SELECT done FROM sfsync.checkpoints WHERE entity = 'school'`)).rows,
    ).toEqual([{ done: true }]);
  });

  it('does nothing when a finished backfill runs again', async () => {
    await db.source(
      `INSERT INTO schools (id, name, country_code) VALUES ($1, 'Late School', 'gb')`,
      [u(9)],
    );
    const again = await runRepair(config(), options({ entities: ['school'] }));
    expect(again.actions).toEqual([]);
    expect(await count('editor__c')).toBe(5);
    // --restart forgets the checkpoint and picks up the new row.
    const restarted = await runRepair(
      config(),
      options({ entities: ['school'], backfill: backfillHooks(true) }),
    );
    expect(restarted.actions.map((a) => `${a.key}:${a.status}`)).toEqual([`${u(9)}:done`]);
  });

  it('defers children until their parents have an sfid, without --wait', async () => {
    const result = await runRepair(config(), options({ entities: ['school_class'] }));
    expect(result.actions.map((a) => a.status)).toEqual(['deferred', 'deferred', 'deferred']);
    expect(result.actions[0]!.blockedBy).toMatchObject({ entity: 'school', state: 'unsynced' });
    expect(await count('classroom__c')).toBe(0);
  });

  it('with --wait, writes the children in one run once Connect synced the parents', async () => {
    // Heroku Connect, in the background: gives every pending school an sfid.
    const connect = setInterval(() => {
      for (const [table, prefix] of [
        ['editor__c', 'a00'],
        ['classroom__c', 'a01'],
      ]) {
        void db
          .asConnect(
            `UPDATE salesforce.${table}
              SET sfid = '${prefix}' || lpad(id::text, 12, '0') || 'AAA', _hc_lastop = 'INSERTED'
              WHERE sfid IS NULL`,
          )
          .catch(() => undefined);
      }
    }, 100);
    try {
      await db.mirror(`DELETE FROM sfsync.checkpoints`);
      const result = await runRepair(
        config(),
        options({ entities: ['school', 'school_class'], waitMs: 20_000 }),
      );
      expect(
        result.actions.filter((a) => a.entity === 'school_class').map((a) => a.status),
      ).toEqual(['done', 'done', 'done']);
    } finally {
      clearInterval(connect);
    }
    expect(await count('classroom__c')).toBe(3);
    const lookups = await db.mirror(
      `SELECT classroomuuid__c, editor__r__editoruuid__c FROM salesforce.classroom__c
        ORDER BY classroomuuid__c`,
    );
    expect(lookups.rows).toEqual(
      [1, 2, 3].map((i) => ({ classroomuuid__c: u(100 + i), editor__r__editoruuid__c: u(i) })),
    );
  });
});
