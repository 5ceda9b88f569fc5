import { beforeEach, describe, expect, it } from 'vitest';
import { runAudit } from '../../src/ops/audit/audit.js';
import { runDoctor } from '../../src/ops/doctor.js';
import { runRepair } from '../support/repair.js';
import { oneEntityConfig, repairOptions } from '../support/configs.js';
import { useFixtureDatabases } from '../support/databases.js';
import { u } from '../support/editor-scenario.js';

const db = useFixtureDatabases();

beforeEach(() => db.reset());

/**
 * An entity written to contact_editor_affiliation__c (external ID affiliation_id__c) from
 * `memberships`, keyed as given.
 */
const membership = (key: unknown) =>
  oneEntityConfig(
    {
      name: 'membership',
      source: { table: 'memberships', key },
      mirror: { table: 'contact_editor_affiliation__c', externalId: 'affiliation_id__c' },
      fields: { roletype__c: 'role' },
    },
    db,
  );

/** Every key's class, as `key class`, sorted. */
async function classes(config: ReturnType<typeof membership>): Promise<string[]> {
  const result = await runAudit(config, { staleMs: 30 * 60_000 });
  const entity = result.entities[0]!;
  return [...entity.mismatches].map((m) => `${m.key} ${m.class}`).sort();
}

/** A mirror row Connect has synced (hex session: not captured). */
const synced = (key: string, role: string, n: number) =>
  db.asConnect(
    `insert into salesforce.contact_editor_affiliation__c
      (affiliation_id__c, roletype__c, sfid, _hc_lastop) values ($1, $2, $3, 'SYNCED')`,
    [key, role, `a0A00000000000${String(n).padStart(4, '0')}`],
  );

describe('composite keys', () => {
  beforeEach(async () => {
    await db.source(
      `CREATE TABLE memberships (school_id uuid, user_id bigint, role text NOT NULL,
        PRIMARY KEY (school_id, user_id))`,
    );
    await db.source(
      `INSERT INTO memberships VALUES ($1, 1, 'teacher'), ($1, 2, 'owner'), ($2, 10, 'teacher')`,
      [u(1), u(2)],
    );
  });

  it('joins the columns with the separator as text; audits, checks and repairs by it', async () => {
    const config = membership({ columns: ['school_id', 'user_id'], separator: ':' });
    await synced(`${u(1)}:1`, 'teacher', 1);
    await synced(`${u(2)}:10`, 'owner', 2);
    expect(await classes(config)).toEqual([`${u(1)}:2 absent`, `${u(2)}:10 drift`]);

    const doctor = await runDoctor(config);
    expect(doctor.findings.filter((f) => f.level === 'error')).toEqual([]);

    const repaired = await runRepair(config, repairOptions());
    expect(repaired.actions.map((a) => `${a.key} ${a.action} ${a.status}`).sort()).toEqual([
      `${u(1)}:2 insert done`,
      `${u(2)}:10 update done`,
    ]);
    const { rows } = await db.mirror(
      `select affiliation_id__c, roletype__c from salesforce.contact_editor_affiliation__c
        where sfid is null`,
    );
    expect(rows).toEqual([{ affiliation_id__c: `${u(1)}:2`, roletype__c: 'owner' }]);
    expect(await classes(config)).toEqual([]);
  });

  it('has no key when a part is NULL: never matched or written', async () => {
    await db.source(
      `ALTER TABLE memberships DROP CONSTRAINT memberships_pkey;
        ALTER TABLE memberships ALTER COLUMN user_id DROP NOT NULL`,
    );
    await db.source(`INSERT INTO memberships VALUES ($1, NULL, 'owner')`, [u(3)]);
    const result = await runAudit(
      membership({ columns: ['school_id', 'user_id'], separator: '/' }),
      { staleMs: 60_000 },
    );
    expect(result.entities[0]).toMatchObject({ sourceRows: 4, sourceRowsWithoutKey: 1 });
    expect(result.entities[0]!.counts.absent).toBe(3);
  });

  it('takes a trusted SQL expression as the key', async () => {
    await synced(`M-${u(1)}-1`, 'teacher', 1);
    const config = membership({ sql: `'M-' || src.school_id || '-' || src.user_id` });
    expect(await classes(config)).toEqual([`M-${u(1)}-2 absent`, `M-${u(2)}-10 absent`]);
    const repaired = await runRepair(config, repairOptions());
    expect(repaired.actions.every((a) => a.status === 'done')).toBe(true);
    expect(await classes(config)).toEqual([]);
  });

  it('refuses a one-column composite key in the config, saying what to write instead', () => {
    expect(() => membership({ columns: ['school_id'], separator: ':' })).toThrow(
      /a composite key has at least two columns/,
    );
    expect(() => membership({ columns: ['school_id', 'no such'], separator: ':' })).toThrow(
      /not a plain SQL identifier/,
    );
  });
});

describe('key types, compared as Salesforce compares external IDs: text, case-sensitively', () => {
  it('text keys that differ only in case are different keys', async () => {
    await db.source(`CREATE TABLE memberships (code text PRIMARY KEY, role text NOT NULL)`);
    await db.source(
      `INSERT INTO memberships VALUES ('abc', 'teacher'), ('ABC', 'owner'), ('Abc', 'owner')`,
    );
    await synced('abc', 'teacher', 1);
    await synced('aBC', 'owner', 2);
    expect(await classes(membership('code'))).toEqual(['ABC absent', 'Abc absent', 'aBC orphan']);
  });

  it('integer and bigint keys are their decimal text, in text order on both sides', async () => {
    await db.source(`CREATE TABLE memberships (id integer PRIMARY KEY, role text NOT NULL)`);
    await db.source(`INSERT INTO memberships SELECT i, 'teacher' FROM generate_series(1, 12) AS i`);
    for (const n of [1, 2, 9, 10, 11]) await synced(String(n), 'teacher', n);
    await synced('012', 'teacher', 12);
    expect(await classes(membership('id'))).toEqual([
      '012 orphan',
      '12 absent',
      '3 absent',
      '4 absent',
      '5 absent',
      '6 absent',
      '7 absent',
      '8 absent',
    ]);
  });

  it('a uuid key is its canonical lower-case text; an upper-case mirror copy differs', async () => {
    await db.source(`CREATE TABLE memberships (id uuid PRIMARY KEY, role text NOT NULL)`);
    await db.source(
      `INSERT INTO memberships VALUES ('00000000-0000-4000-8000-00000000000a', 'teacher')`,
    );
    await synced('00000000-0000-4000-8000-00000000000A', 'teacher', 1);
    expect(await classes(membership('id'))).toEqual([
      '00000000-0000-4000-8000-00000000000A orphan',
      '00000000-0000-4000-8000-00000000000a absent',
    ]);
  });
});
