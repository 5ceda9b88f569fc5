import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertRows } from '../../src/db/mirror/bulk-write.js';
import { insertRow } from '../../src/db/mirror/write-mirror.js';
import { connect, type Connection } from '../../src/db/driver/connect.js';
import { mirrorTableOf, type MirrorTable } from '../../src/db/entity-tables.js';
import { readCatalog } from '../../src/db/catalog/read-catalog.js';
import type { ColumnInfo } from '../../src/core/schema/catalog.js';
import { DatabaseError } from '../../src/errors.js';
import { fixtureConfig } from '../support/configs.js';
import { useFixtureDatabases } from '../support/databases.js';
import { startBareRun } from '../support/journal-run.js';

// The bulk insert carries its rows as one JSON document; the one-row insert carries each value as a
// bind parameter. Whatever a value is, both must store the same thing.
const db = useFixtureDatabases();
let mirror: Connection;
let table: MirrorTable;
let columns: ReadonlyMap<string, ColumnInfo>;
const RUN = 'b0b0b0b0-0000-4000-8000-000000000002';

beforeAll(async () => {
  await db.mirror(`CREATE DOMAIN salesforce.settings AS jsonb CHECK (VALUE ? 'v');
    CREATE TABLE salesforce.value_kinds (
      id serial PRIMARY KEY, ext varchar(40) UNIQUE, txt text, short varchar(5),
      amount numeric(10, 2), whole integer, flag boolean, at_utc timestamp, at_tz timestamptz,
      day date, doc jsonb, raw_doc json, settings salesforce.settings, tags text[], bytes bytea,
      label text DEFAULT 'the default')`);
  mirror = await connect(fixtureConfig(db).mirror);
  await startBareRun(mirror.db, RUN);
  const school = fixtureConfig(db).entities.find((e) => e.name === 'school')!;
  const entity = {
    ...school,
    mirror: { ...school.mirror, table: 'value_kinds', externalId: 'ext' },
  };
  table = mirrorTableOf('salesforce', entity);
  columns = (await readCatalog(mirror.db, 'salesforce')).tables.get('value_kinds')!.columns;
});
afterAll(async () => {
  await mirror.close();
});

const by = { runId: RUN, entity: 'school', mirrorTable: 'value_kinds' };

/** Values of every kind a source row can hold, as node-postgres reads them. */
const KINDS: Record<string, unknown>[] = [
  {
    txt: 'quotes \' " and \\ backslash, tab\t, newline\n, ünïcödé, emoji 🚀',
    short: 'abc',
    amount: 1234.5,
    whole: 42,
    flag: true,
    at_utc: new Date('2026-03-01T12:34:56.789Z'),
    at_tz: new Date('2026-03-01T12:34:56.789Z'),
    day: new Date('2026-03-01T00:00:00.000Z'),
    doc: { a: 1, b: [1, 'two', null], c: { d: 'e' } },
    raw_doc: { z: 1, a: 2 },
    settings: { v: 'x' },
    tags: ['a', 'b,c', '"quoted"', 'back\\slash', null],
    bytes: Buffer.from([0, 1, 2, 254, 255]),
  },
  {
    txt: '',
    short: null,
    amount: '0.10',
    whole: -7,
    flag: false,
    at_utc: '2026-03-01 01:02:03',
    at_tz: '2026-03-01T01:02:03+05:30',
    day: '2026-12-31',
    doc: '{"from":"text"}',
    raw_doc: '{"spaced" :  1}',
    settings: '{"v": 1}',
    tags: '{x,y}',
    bytes: '\\xdeadbeef',
  },
  {
    txt: null,
    short: Buffer.from('buf'),
    amount: null,
    flag: null,
    doc: null,
    raw_doc: null,
    tags: [],
    label: 'set',
  },
];

async function imageOf(ext: string) {
  const { rows } = await db.mirror(
    `SELECT to_jsonb(m) - 'id' - 'ext' AS image, m.raw_doc::text AS raw_text
       FROM salesforce.value_kinds m WHERE ext = $1`,
    [ext],
  );
  return rows[0];
}

describe('a bulk insert stores what the one-row insert stores', () => {
  it.each(KINDS.map((values, i) => [i, values] as const))(
    'for the values of set %i',
    async (i, values) => {
      await mirror.db.transaction().execute(async (trx) => {
        await insertRow(trx, table, { ext: `one-${i}`, ...values });
        await insertRows(
          trx,
          table,
          [{ key: `bulk-${i}`, values: { ext: `bulk-${i}`, ...values }, adjusted: null }],
          by,
          columns,
        );
      });
      const [one, bulk] = [await imageOf(`one-${i}`), await imageOf(`bulk-${i}`)];
      expect(one.image).toBeDefined();
      expect(bulk).toEqual(one);
    },
  );

  it('for all the sets in one statement, each row its own', async () => {
    const rows = KINDS.map((values, i) => ({
      key: `together-${i}`,
      values: { ext: `together-${i}`, ...values },
      adjusted: null,
    }));
    // The sets set different columns: the rows still go in order, each with its own defaults.
    await mirror.db.transaction().execute((trx) => insertRows(trx, table, rows, by, columns));
    for (const [i] of KINDS.entries())
      expect(await imageOf(`together-${i}`)).toEqual(await imageOf(`one-${i}`));
  });

  it('rejects what the one-row insert rejects, as an error of the row', async () => {
    const bad = [
      { short: 'longer than five' },
      { doc: '{not json' },
      { settings: { no: 'v' } },
      { whole: 'forty-two' },
    ];
    for (const values of bad) {
      const row = [{ key: 'bad', values: { ext: 'bad', ...values }, adjusted: null }];
      const bulk = mirror.db
        .transaction()
        .execute((trx) => insertRows(trx, table, row, by, columns));
      const one = mirror.db.transaction().execute((trx) => insertRow(trx, table, row[0]!.values));
      const [bulkError, oneError] = await Promise.all([bulk.catch((e) => e), one.catch((e) => e)]);
      expect(bulkError).toBeInstanceOf(DatabaseError);
      expect((bulkError as DatabaseError).sqlstate).toBe((oneError as DatabaseError).sqlstate);
    }
  });
});
