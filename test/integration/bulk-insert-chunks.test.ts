import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { insertRows, lockKeys } from '../../src/db/mirror/bulk-write.js';
import { connect, type Connection } from '../../src/db/driver/connect.js';
import { mirrorTableOf } from '../../src/db/entity-tables.js';
import { readCatalog } from '../../src/db/catalog/read-catalog.js';
import type { ColumnInfo } from '../../src/core/schema/catalog.js';
import { fixtureConfig } from '../support/configs.js';
import { useFixtureDatabases } from '../support/databases.js';
import { startBareRun } from '../support/journal-run.js';

const db = useFixtureDatabases();
let mirror: Connection;
let columns: ReadonlyMap<string, ColumnInfo>;
const RUN = 'b0b0b0b0-0000-4000-8000-000000000001';
const ROWS = 25_000;

beforeAll(async () => {
  mirror = await connect(fixtureConfig(db).mirror);
  await startBareRun(mirror.db, RUN);
  columns = (await readCatalog(mirror.db, 'salesforce')).tables.get('editor__c')!.columns;
});
afterAll(async () => {
  await mirror.close();
});

describe('a bulk insert larger than one statement carries', () => {
  it('goes in statements of 10,000 rows; writes and journals every row once', async () => {
    // A statement-level trigger counts the insert statements.
    await db.mirror(`CREATE TABLE public.insert_statements (n int);
      CREATE FUNCTION public.count_insert() RETURNS trigger LANGUAGE plpgsql AS
        $$ BEGIN INSERT INTO public.insert_statements VALUES (1); RETURN NULL; END $$;
      CREATE TRIGGER count_insert AFTER INSERT ON salesforce.editor__c
        FOR EACH STATEMENT EXECUTE FUNCTION public.count_insert()`);
    const entity = fixtureConfig(db).entities.find((e) => e.name === 'school')!;
    const table = mirrorTableOf('salesforce', entity);
    const key = (i: number) => `00000000-0000-4000-9000-${String(i).padStart(12, '0')}`;
    const rows = Array.from({ length: ROWS }, (_, i) => ({
      key: key(i),
      values: { editoruuid__c: key(i), name: `Chunk ${i}`, country__c: 'GB' },
      adjusted: null,
    }));
    const by = { runId: RUN, entity: entity.name, mirrorTable: entity.mirror.table };
    const ids = await mirror.db
      .transaction()
      .execute((trx) => insertRows(trx, table, rows, by, columns));
    await db.mirror('DROP TRIGGER count_insert ON salesforce.editor__c');

    const { rows: statements } = await db.mirror(
      'SELECT count(*)::int AS n FROM insert_statements',
    );
    expect(statements[0].n).toBe(3);
    expect(ids).toHaveLength(ROWS);
    expect(new Set(ids).size).toBe(ROWS);
    const { rows: counts } = await db.mirror(
      `select (select count(*)::int from salesforce.editor__c
                 where name like 'Chunk %') as mirrored,
              (select count(*)::int from sfsync.journal j join salesforce.editor__c m
                  on m.id = j.mirror_id and m.editoruuid__c = j.key and j.after->>'name' = m.name
                where j.run_id = $1 and j.action = 'insert') as journaled`,
      [RUN],
    );
    expect(counts[0]).toEqual({ mirrored: ROWS, journaled: ROWS });
    // Returned in the order given: the i-th id is the i-th row's.
    const { rows: sample } = await db.mirror(
      'select id, name from salesforce.editor__c where id = any($1)',
      [[ids[0], ids[12_345], ids[ROWS - 1]]],
    );
    const nameOf = new Map(sample.map((r) => [r.id, r.name]));
    expect([ids[0], ids[12_345], ids[ROWS - 1]].map((id) => nameOf.get(id))).toEqual([
      'Chunk 0',
      'Chunk 12345',
      `Chunk ${ROWS - 1}`,
    ]);
  });
});

describe('a bulk insert of rows that set different columns', () => {
  it('gives a column a row does not set its default, as the one-row insert does', async () => {
    const entity = fixtureConfig(db).entities.find((e) => e.name === 'school')!;
    const table = mirrorTableOf('salesforce', entity);
    const by = { runId: RUN, entity: entity.name, mirrorTable: entity.mirror.table };
    const rows = [
      {
        key: 'mixed-1',
        values: { editoruuid__c: 'mixed-1', name: 'Mixed One', country__c: 'GB' },
        adjusted: null,
      },
      { key: 'mixed-2', values: { editoruuid__c: 'mixed-2', name: 'Mixed Two' }, adjusted: null },
    ];
    await mirror.db.transaction().execute((trx) => insertRows(trx, table, rows, by, columns));
    const { rows: written } = await db.mirror(
      `SELECT editoruuid__c AS key, country__c FROM salesforce.editor__c WHERE editoruuid__c LIKE
        'mixed-%' ORDER BY 1`,
    );
    expect(written).toEqual([
      { key: 'mixed-1', country__c: 'GB' },
      { key: 'mixed-2', country__c: null },
    ]);
  });
});

describe('locking a batch of keys', () => {
  it('takes them in one order whatever the batch order: no two-writer deadlock', async () => {
    const entity = fixtureConfig(db).entities.find((e) => e.name === 'school')!;
    const table = mirrorTableOf('salesforce', entity);
    const keyLock = (key: string) => [entity.mirror.table, key];
    // A third session holds key a, so both writers queue: the first for a (then b), the second
    // for whatever it takes first. Listed b-then-a and taken in that order, the second would hold
    // b while waiting for a, and the first would wait for b: a deadlock PostgreSQL breaks by
    // failing one of them (SQLSTATE 40P01).
    const holder = new pg.Client({ connectionString: db.mirrorUrl });
    await holder.connect();
    try {
      await holder.query('BEGIN');
      await holder.query(
        'SELECT pg_advisory_xact_lock(hashtext($1), hashtext($2))',
        keyLock('key-a'),
      );
      const first = mirror.db
        .transaction()
        .execute((trx) => lockKeys(trx, table, ['key-a', 'key-b']));
      await expect.poll(() => waitingOnAdvisoryLocks()).toBe(1);
      const second = mirror.db
        .transaction()
        .execute((trx) => lockKeys(trx, table, ['key-b', 'key-a']));
      await expect.poll(() => waitingOnAdvisoryLocks()).toBe(2);
      await holder.query('COMMIT');
      await expect(Promise.all([first, second])).resolves.toBeDefined();
    } finally {
      await holder.end();
    }
  });
});

/** Sessions of this database waiting for an advisory lock. */
async function waitingOnAdvisoryLocks(): Promise<number> {
  const { rows } = await db.mirror(
    `SELECT count(*)::int AS n FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
      WHERE l.locktype = 'advisory' AND NOT l.granted AND a.datname = current_database()`,
  );
  return rows[0].n;
}
