import { beforeEach, describe, expect, it } from 'vitest';
import { runAudit } from '../../src/ops/audit/audit.js';
import { runRepair } from '../support/repair.js';
import { fakeSfid } from '../support/connect-actor.js';
import { useFixtureDatabases } from '../support/databases.js';
import { u } from '../support/editor-scenario.js';
import { configFrom, repairOptions } from '../support/configs.js';

const db = useFixtureDatabases();
const base = repairOptions({ batchSize: 10, concurrency: 1 });
const config = () =>
  configFrom(
    {
      source: {},
      mirror: {},
      entities: [
        {
          name: 'measure',
          source: { table: 'measures', key: 'id' },
          mirror: { table: 'measure__c', externalId: 'ext__c' },
          fields: {
            name: 'name',
            amount__c: 'amount',
            big__c: 'big',
            ratio__c: 'ratio',
            r__c: 'r',
          },
        },
      ],
    },
    db,
  );

beforeEach(async () => {
  await db.reset();
  await db.source(
    `CREATE TABLE measures
      (id uuid PRIMARY KEY, name text, amount numeric, big bigint, ratio numeric, r numeric)`,
  );
  await db.mirror(`CREATE TABLE salesforce.measure__c (
    id serial PRIMARY KEY, sfid varchar(18) UNIQUE, ext__c varchar(255), name varchar(10),
    amount__c numeric(10,2), big__c numeric(20,0), ratio__c double precision, r__c real,
    _hc_lastop varchar(32), _hc_err text, systemmodstamp timestamp, isdeleted boolean)`);
  await db.mirror(
    `CREATE UNIQUE INDEX hcu_idx_measure__c_ext__c ON salesforce.measure__c (ext__c)`,
  );
});

/** A row as Connect leaves it after a successful sync. */
const synced = (key: string, values: Record<string, unknown>) => {
  const columns = Object.keys(values);
  const params = columns.map((_, i) => `$${i + 2}`).join(', ');
  return db.asConnect(
    `INSERT INTO salesforce.measure__c (ext__c, ${columns.join(', ')}, sfid, _hc_lastop)
      VALUES ($1, ${params}, $${columns.length + 2}, 'SYNCED')`,
    [key, ...Object.values(values), fakeSfid()],
  );
};
const source = (key: string, values: Record<string, unknown>) => {
  const columns = Object.keys(values);
  const params = columns.map((_, i) => `$${i + 2}`).join(', ');
  return db.source(`INSERT INTO measures (id, ${columns.join(', ')}) VALUES ($1, ${params})`, [
    key,
    ...Object.values(values),
  ]);
};
const classes = async () =>
  Object.fromEntries(
    [...(await runAudit(config(), { staleMs: 60_000 })).entities[0]!.mismatches].map((m) => [
      m.key,
      [m.class, ...m.fields.map((f) => f.column)].join(' '),
    ]),
  );

describe('numbers in the audit', () => {
  it('compares integers exactly, also beyond 2^53', async () => {
    await source(u(1), { big: '1000000001' });
    await synced(u(1), { big__c: '1000000000' });
    await source(u(2), { big: '9007199254740993' });
    await synced(u(2), { big__c: '9007199254740992' });
    await source(u(3), { big: '9007199254740993' });
    await synced(u(3), { big__c: '9007199254740993' });
    expect(await classes()).toEqual({ [u(1)]: 'drift big__c', [u(2)]: 'drift big__c' });
  });

  it('compares floats by their own precision', async () => {
    await source(u(1), { ratio: '0.1', r: '0.30000001' });
    await synced(u(1), { ratio__c: 0.1, r__c: 0.3 });
    await source(u(2), { ratio: '1000000001', r: '0.3001' });
    await synced(u(2), { ratio__c: 1000000000, r__c: 0.3 });
    expect(await classes()).toEqual({ [u(2)]: 'drift ratio__c r__c' });
  });
});

describe('writes fitted to the mirror columns', () => {
  it('accepts a source number with decimals the column drops: not updated every run', async () => {
    await source(u(1), { amount: '1.005' });
    await synced(u(1), { amount__c: '1.01' });
    expect(await classes()).toEqual({});
    expect((await runRepair(config(), { ...base, dryRun: true })).actions).toEqual([]);
  });

  it('insert cuts long text, rounds extra decimals, journals it; rerun plans nothing', async () => {
    await source(u(1), { name: 'Abcdefghijklmnop', amount: '2.345', big: '7' });
    const first = await runRepair(config(), base);
    expect(first.actions.map((a) => `${a.action}/${a.status}`)).toEqual(['insert/done']);
    const { rows } = await db.mirror(
      `SELECT name, amount__c FROM salesforce.measure__c WHERE ext__c = $1`,
      [u(1)],
    );
    expect(rows).toEqual([{ name: 'Abcdefghij', amount__c: '2.35' }]);
    const journal = await db.mirror(
      `SELECT adjusted FROM sfsync.journal WHERE run_id = $1 AND action = 'insert'`,
      [first.runId],
    );
    expect(journal.rows[0].adjusted).toEqual({
      name: { kind: 'cut', from: 'Abcdefghijklmnop', length: 16, to: 'Abcdefghij' },
      amount__c: { kind: 'rounded', from: '2.345', to: '2.35' },
    });
    // Connect syncs it; the audit accepts what sfsync wrote, and a second repair has nothing to do.
    await db.asConnect(
      `UPDATE salesforce.measure__c SET sfid = $2, _hc_lastop = 'SYNCED' WHERE ext__c = $1`,
      [u(1), fakeSfid()],
    );
    expect(await classes()).toEqual({});
    expect((await runRepair(config(), { ...base, dryRun: true })).actions).toEqual([]);
  });

  it('fits an update the same way', async () => {
    await source(u(1), { name: 'Zyxwvutsrqponm', amount: '9.999' });
    await synced(u(1), { name: 'Old', amount__c: '1.00' });
    const first = await runRepair(config(), base);
    expect(first.actions.map((a) => `${a.action}/${a.status}/${a.columns.join(',')}`)).toEqual([
      'update/done/name,amount__c',
    ]);
    const { rows } = await db.mirror(
      `SELECT name, amount__c FROM salesforce.measure__c WHERE ext__c = $1`,
      [u(1)],
    );
    expect(rows).toEqual([{ name: 'Zyxwvutsrq', amount__c: '10.00' }]);
    await db.asConnect(`UPDATE salesforce.measure__c SET _hc_lastop = 'SYNCED' WHERE ext__c = $1`, [
      u(1),
    ]);
    expect((await runRepair(config(), { ...base, dryRun: true })).actions).toEqual([]);
  });
});
