import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertRows } from '../../src/db/bulk-write.js';
import { connect, type Connection } from '../../src/db/connect.js';
import { ensureJournal, startRun } from '../../src/db/journal.js';
import { fixtureConfig } from '../support/configs.js';
import { useFixtureDatabases } from '../support/databases.js';

const db = useFixtureDatabases();
let mirror: Connection;
const RUN = 'b0b0b0b0-0000-4000-8000-000000000001';
const ROWS = 25_000;

beforeAll(async () => {
  mirror = await connect(fixtureConfig(db).mirror);
  await ensureJournal(mirror.db);
  const stale = { pid: 0, backendStart: '0' };
  await startRun(mirror.db, { runId: RUN, command: 'backfill', actor: 't', host: 'h', commandLine: '', dryRun: false, lock: stale });
});
afterAll(async () => {
  await mirror.close();
});

describe('a bulk insert larger than one statement may carry', () => {
  it('splits into statements under the bind-parameter limit and writes and journals every row once', async () => {
    // 3 columns x 25,000 rows = 75,000 parameters: over PostgreSQL's 65,535 for one statement.
    const entity = fixtureConfig(db).entities.find((e) => e.name === 'school')!;
    const key = (i: number) => `00000000-0000-4000-9000-${String(i).padStart(12, '0')}`;
    const rows = Array.from({ length: ROWS }, (_, i) => ({
      key: key(i),
      values: { editoruuid__c: key(i), name: `Chunk ${i}`, country__c: 'GB' },
      adjusted: null,
    }));
    const by = { runId: RUN, entity: entity.name, mirrorTable: entity.mirror.table };
    const ids = await mirror.db.transaction().execute((trx) => insertRows(trx, 'salesforce', entity, rows, by));

    expect(ids).toHaveLength(ROWS);
    expect(new Set(ids).size).toBe(ROWS);
    const { rows: counts } = await db.mirror(
      `select (select count(*)::int from salesforce.editor__c where name like 'Chunk %') as mirrored,
              (select count(*)::int from sfsync.journal j join salesforce.editor__c m
                  on m.id = j.mirror_id and m.editoruuid__c = j.key and j.after->>'name' = m.name
                where j.run_id = $1 and j.action = 'insert') as journaled`,
      [RUN],
    );
    expect(counts[0]).toEqual({ mirrored: ROWS, journaled: ROWS });
    // Returned in the order given: the i-th id is the i-th row's.
    const { rows: sample } = await db.mirror('select id, name from salesforce.editor__c where id = any($1)', [[ids[0], ids[12_345], ids[ROWS - 1]]]);
    const nameOf = new Map(sample.map((r) => [r.id, r.name]));
    expect([ids[0], ids[12_345], ids[ROWS - 1]].map((id) => nameOf.get(id))).toEqual(['Chunk 0', 'Chunk 12345', `Chunk ${ROWS - 1}`]);
  });
});
