import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createDatabases, withDatabase } from '../../src/db/server/create-databases.js';
import { runSqlFile } from '../../src/db/driver/run-sql-file.js';
import { fixtureEnv, runCli } from '../support/cli.js';
import { openDatabases, type FixtureDatabases } from '../support/databases.js';
import { CONNECT_RUNTIME_SQL, ROOT } from '../support/paths.js';

// A real Connect org's shape (fixtures/rails-connect/README.md): Account and Contact sharing the
// external-ID field ExternalId__c, the contact's lookup named the older way
// (account__externalid__c) beside Salesforce's own accountid, and a Rails app's tables.
const RAILS = `${ROOT}fixtures/rails-connect`;
const names = [`sfsync_rails_src_${randomBytes(3).toString('hex')}`, ''];
names[1] = names[0]!.replace('_src_', '_mir_');
let db: FixtureDatabases & { close(): Promise<void> };
let dir: string;

const sfsync = (args: string[]) => runCli(args, { env: fixtureEnv(db), cwd: dir });
const SFID = (n: number, prefix = '001') => `${prefix}5g00000Rails${String(n).padStart(3, '0')}`;

beforeAll(async () => {
  const admin = inject('pgAdminUrl');
  await createDatabases(admin, names);
  const [sourceUrl, mirrorUrl] = names.map((name) => withDatabase(admin, name)) as [string, string];
  await runSqlFile(sourceUrl, `${RAILS}/source.sql`);
  await runSqlFile(mirrorUrl, CONNECT_RUNTIME_SQL);
  await runSqlFile(mirrorUrl, `${RAILS}/mirror.sql`);
  db = await openDatabases(sourceUrl, mirrorUrl);
  dir = await mkdtemp(join(tmpdir(), 'sfsync-rails-'));
  await seed();
});

afterAll(async () => {
  await db?.close();
  const admin = new pg.Client({ connectionString: inject('pgAdminUrl') });
  await admin.connect();
  for (const name of names) await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await admin.end();
});

/** The seeded truth: what the audit must say of each key. */
const TRUTH = {
  account: {
    '2': { class: 'drift' },
    '3': { class: 'absent' },
    '4': { class: 'failed', code: 'DUPLICATE_VALUE', policy: 'data-fix', repairable: false },
    '5': {
      class: 'failed',
      code: 'INACTIVE_OWNER_OR_USER',
      policy: 'config-fix',
      repairable: false,
    },
    '6': { class: 'stuck' },
    '900': { class: 'orphan' },
  },
  contact: {
    '2': { class: 'missing_parent', parent: { entity: 'account', key: '3', state: 'absent' } },
    '3': {
      class: 'missing_parent',
      code: 'FOREIGN_KEY_NOT_FOUND',
      parent: { entity: 'account', key: '4', state: 'failed' },
    },
    '4': {
      class: 'failed',
      code: 'INVALID_FIELD_FOR_INSERT_UPDATE',
      policy: 'config-fix',
      repairable: false,
    },
    '5': { class: 'failed', code: 'UNABLE_TO_LOCK_ROW', policy: 'retry-now', repairable: true },
    '6': { class: 'absent' },
    '7': { class: 'drift' },
  },
} as const;

async function seed(): Promise<void> {
  await db.source(`
    INSERT INTO accounts (id, name, phone, website) VALUES
      (1, 'Acme', '555-0101', 'https://acme.example'),
      (2, 'Globex', '555-0102', 'https://globex.example'),
      (3, 'Initech', '555-0103', NULL),
      (4, 'Umbrella', '555-0104', NULL),
      (5, 'Hooli', '555-0105', NULL),
      (6, 'Vehement', '555-0106', NULL);
    INSERT INTO contacts (id, account_id, first_name, last_name, email) VALUES
      (1, 1, 'Ada', 'Lovelace', 'ada@acme.example'),
      (2, 3, 'Bob', 'Page', NULL),
      (3, 4, 'Cy', 'Young', NULL),
      (4, 1, 'Di', 'Prince', NULL),
      (5, 1, 'Ed', 'Wood', NULL),
      (6, NULL, 'Flo', 'Nightingale', NULL),
      (7, 1, 'Gus', 'Grissom', NULL),
      (8, 2, 'Hal', 'Jordan', NULL);`);
  // What Connect wrote back: synced rows with their sfids, and the failures in Salesforce's words
  // (each text from fixtures/hc-errors/corpus.jsonl).
  await db.asConnect(
    `INSERT INTO salesforce.account (sfid, externalid__c, name, phone, website, systemmodstamp)
     VALUES ($1, '1', 'Acme', '555-0101', 'https://acme.example', now()),
            ($2, '2', 'Globex', '555-9999', 'https://globex.example', now()),
            (NULL, '4', 'Umbrella', '555-0104', NULL, now()),
            (NULL, '5', 'Hooli', '555-0105', NULL, now()),
            ($3, '900', 'Deleted in the app', NULL, NULL, now())`,
    [SFID(1), SFID(2), SFID(900)],
  );
  await db.asConnect(
    `INSERT INTO salesforce.contact (sfid, externalid__c, accountid, account__externalid__c,
       firstname, lastname, name, email, systemmodstamp) VALUES
       ($1, '1', $3, '1', 'Ada', 'Lovelace', 'Ada Lovelace', 'ada@acme.example', now()),
       (NULL, '3', NULL, '4', 'Cy', 'Young', NULL, NULL, now()),
       (NULL, '4', NULL, '1', 'Di', 'Prince', NULL, NULL, now()),
       (NULL, '5', NULL, '1', 'Ed', 'Wood', NULL, NULL, now()),
       ($2, '7', $3, '1', 'Gus', 'Grisom', 'Gus Grisom', NULL, now()),
       ($4, '8', $5, '2', 'Hal', 'Jordan', 'Hal Jordan', NULL, now())`,
    [SFID(1, '003'), SFID(7, '003'), SFID(1), SFID(8, '003'), SFID(2)],
  );
  const failures: [string, string, string][] = [
    [
      'account',
      '4',
      'duplicate value found: <unknown> duplicates value on record with id: <unknown>',
    ],
    ['account', '5', 'owner is inactive, cannot reparent record'],
    [
      'contact',
      '3',
      'Foreign key external ID: 4 not found for field ExternalId__c in entity Account',
    ],
    [
      'contact',
      '4',
      'Unable to create/update fields: AccountId. Please check the security settings of this ' +
        'field and verify that it is read/write for your profile or permission set.',
    ],
    ['contact', '5', 'unable to obtain exclusive access to this record'],
  ];
  for (const [table, key, text] of failures)
    await db.asConnect(
      `UPDATE salesforce.${table} SET _hc_lastop = 'FAILED', _hc_err = $2
        WHERE externalid__c = $1`,
      [key, text],
    );
  // The app wrote account 6 to the mirror two days ago; Connect never picked it up.
  await db.mirror(
    `INSERT INTO salesforce.account (externalid__c, name, phone)
      VALUES ('6', 'Vehement', '555-0106')`,
  );
  await db.mirror(
    `UPDATE salesforce._trigger_log SET created_at = now() - interval '2 days'
      WHERE table_name = 'account'`,
  );
}

interface Mismatch {
  key: string;
  class: string;
  code: string | null;
  policy: string | null;
  repairable: boolean;
  parent: { entity: string; key: string | null; state: string } | null;
}

/** What the audit said of each key, in the shape of TRUTH. */
async function auditFindings(config: string) {
  const audit = await sfsync(['audit', '--config', config, '--format', 'json']);
  expect(audit.stderr).toBe('');
  const report = JSON.parse(audit.stdout) as {
    entities: { name: string; mismatches: Mismatch[] }[];
  };
  return Object.fromEntries(
    report.entities.map((entity) => [
      entity.name,
      Object.fromEntries(entity.mismatches.map((m) => [m.key, m])),
    ]),
  );
}

describe('sfsync init and audit on a real Connect org of standard objects', () => {
  it.each([
    ['the databases', []],
    ['the Connect export', ['--from-export', `${RAILS}/connect-export.json`]],
  ])('init from %s writes the config a person would, with no note to settle', async (_, extra) => {
    const file = `from-${extra.length}.json`;
    const init = await sfsync(['init', '--config', file, '--format', 'json', ...extra]);
    expect(init.stderr).toBe('');
    expect(init.code).toBe(0);
    const config = JSON.parse(await readFile(join(dir, file), 'utf8'));
    expect(config.todo).toBeUndefined();
    expect(config.entities).toEqual([
      {
        name: 'account',
        source: { table: 'accounts', key: 'id' },
        mirror: { table: 'account', externalId: 'externalid__c' },
        fields: { name: 'name', phone: 'phone', website: 'website' },
      },
      {
        name: 'contact',
        source: { table: 'contacts', key: 'id' },
        mirror: { table: 'contact', externalId: 'externalid__c' },
        fields: { email: 'email', firstname: 'first_name', lastname: 'last_name' },
        parents: [
          {
            entity: 'account',
            column: 'account_id',
            lookup: 'account__externalid__c',
            optional: true,
          },
        ],
      },
    ]);

    const found = await auditFindings(file);
    for (const [entity, keys] of Object.entries(TRUTH)) {
      expect(Object.keys(found[entity]!).sort()).toEqual(Object.keys(keys).sort());
      for (const [key, truth] of Object.entries(keys))
        expect({ entity, key, ...found[entity]![key] }).toMatchObject({ entity, key, ...truth });
    }
  });
});
