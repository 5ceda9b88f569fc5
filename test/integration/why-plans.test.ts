import { type RawBuilder, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WritableEntity } from '../../src/config/types.js';
import { connect, type Connection } from '../../src/db/driver/connect.js';
import { entityTablesOf, mirrorTableOf, sourceTableOf } from '../../src/db/entity-tables.js';
import { ensureJournal } from '../../src/db/sfsync/journal.js';
import { journalQuery } from '../../src/db/why/journal.js';
import {
  mirrorRecordQuery,
  parentRowsQuery,
  sourceRecordQuery,
} from '../../src/db/why/record-rows.js';
import { triggerLogQuery } from '../../src/db/why/trigger-log.js';
import { explainRecord } from '../../src/ops/why/why.js';
import { fixtureConfig } from '../support/configs.js';
import { useFixtureDatabases } from '../support/databases.js';
import { u } from '../support/editor-scenario.js';

const db = useFixtureDatabases();
const ROWS = 200_000;
const KEY = '150000';
const AT = '2024-04-01 08:00:00';
/** The contact (user) of role i. */
const user = (i: number) => `00000000-0000-4000-9000-${String(i).padStart(12, '0')}`;
const uuidSql = (prefix: string) => `('${prefix}' || lpad(i::text, 12, '0'))`;

/** Tables that hold a row per record (or per write): never to be read whole by `why`. */
const BIG = [
  'roles',
  'schools',
  'contact_editor_affiliation__c',
  'editor__c',
  'contact',
  '_trigger_log',
  '_trigger_log_archive',
];

let source: Connection;
let mirror: Connection;

interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  Plans?: PlanNode[];
}

function nodes(plan: PlanNode): PlanNode[] {
  return [plan, ...(plan.Plans ?? []).flatMap(nodes)];
}

async function plan(on: Connection, query: RawBuilder<unknown>): Promise<PlanNode[]> {
  const { rows } = await sql<{
    'QUERY PLAN': [{ Plan: PlanNode }];
  }>`explain (format json) ${query}`.execute(on.db);
  return nodes(rows[0]!['QUERY PLAN'][0].Plan);
}

const seqScansOfBigTables = (plan: PlanNode[]) =>
  plan
    .filter((n) => n['Node Type'] === 'Seq Scan' && BIG.includes(n['Relation Name'] ?? ''))
    .map((n) => n['Relation Name']);

beforeAll(async () => {
  // The role entity and its parents at 200,000 rows a table, every mirror row synced (written as
  // Connect, so not captured), and 200,000 entries in each of Connect's logs.
  await db.source(
    `INSERT INTO schools (id, name, country_code)
       SELECT ${uuidSql('00000000-0000-4000-8000-')}::uuid, 'School ' || i, 'gb'
         FROM generate_series(1, ${ROWS}) AS i;
     INSERT INTO roles (id, school_id, user_id, role, created_at, updated_at)
       SELECT i, ${uuidSql('00000000-0000-4000-8000-')}::uuid,
              ${uuidSql('00000000-0000-4000-9000-')}::uuid, 1, '${AT}Z', '${AT}Z'
         FROM generate_series(1, ${ROWS}) AS i;
     ANALYZE schools; ANALYZE roles;`,
  );
  await db.asConnect(
    `INSERT INTO salesforce.editor__c (editoruuid__c, name, sfid)
       SELECT ${uuidSql('00000000-0000-4000-8000-')}, 'School ' || i,
              'a00' || lpad(i::text, 15, '0')
         FROM generate_series(1, ${ROWS}) AS i;
     INSERT INTO salesforce.contact (pi_accounts_unique_id__c, lastname, sfid)
       SELECT ${uuidSql('00000000-0000-4000-9000-')}, 'Teacher', '003' || lpad(i::text, 15, '0')
         FROM generate_series(1, ${ROWS}) AS i;
     INSERT INTO salesforce.contact_editor_affiliation__c
            (affiliation_id__c, editor__r__editoruuid__c, contact__r__pi_accounts_unique_id__c,
             roletype__c, createdat__c, updatedat__c, sfid)
       SELECT i::text, ${uuidSql('00000000-0000-4000-8000-')},
              ${uuidSql('00000000-0000-4000-9000-')}, 'teacher', '${AT}', '${AT}',
              'a0A' || lpad(i::text, 15, '0')
         FROM generate_series(1, ${ROWS}) AS i;
     INSERT INTO salesforce._trigger_log_archive
            (id, created_at, state, action, table_name, record_id, "values")
       SELECT i, now() - interval '1 day', 'SUCCESS', 'INSERT', 'contact_editor_affiliation__c',
              i, repeat('x', 200)
         FROM generate_series(1, ${ROWS}) AS i;
     SELECT setval('salesforce._trigger_log_id_seq', ${ROWS});
     INSERT INTO salesforce._trigger_log (created_at, state, action, table_name, record_id,
                                          "values")
       SELECT now(), 'SUCCESS', 'UPDATE', 'contact_editor_affiliation__c', i, repeat('x', 200)
         FROM generate_series(1, ${ROWS}) AS i;
     ANALYZE salesforce.editor__c; ANALYZE salesforce.contact;
     ANALYZE salesforce.contact_editor_affiliation__c;
     ANALYZE salesforce._trigger_log; ANALYZE salesforce._trigger_log_archive;`,
  );
  const config = fixtureConfig(db);
  source = await connect(config.source);
  mirror = await connect(config.mirror);
  await ensureJournal(mirror.db);
}, 300_000);

afterAll(async () => {
  await source?.close();
  await mirror?.close();
});

/** Every statement `why role KEY` runs on a table's rows, built as the code builds it. */
function statements(recordIds: readonly number[]) {
  const config = fixtureConfig(db);
  const entity = (name: string) => config.entities.find((e) => e.name === name)!;
  const role = entityTablesOf(
    { source: 'public', mirror: 'salesforce' },
    entity('role') as WritableEntity,
  );
  const i = Number(KEY);
  return [
    { name: 'source row', on: source, query: sourceRecordQuery(role.source, KEY) },
    { name: 'mirror rows', on: mirror, query: mirrorRecordQuery(role.mirror, KEY, true) },
    {
      name: 'trigger log',
      on: mirror,
      query: triggerLogQuery(role.mirror, recordIds, ['_trigger_log', '_trigger_log_archive']),
    },
    {
      name: 'parent school, mirror',
      on: mirror,
      query: parentRowsQuery(mirrorTableOf('salesforce', entity('school')), u(i)),
    },
    {
      name: 'parent school, source',
      on: source,
      query: sourceRecordQuery(sourceTableOf('public', entity('school') as WritableEntity), u(i)),
    },
    {
      name: 'parent contact, mirror',
      on: mirror,
      query: parentRowsQuery(mirrorTableOf('salesforce', entity('contact')), user(i)),
    },
    { name: 'journal', on: mirror, query: journalQuery('role', KEY, true) },
  ];
}

describe('why reads one record by key, at 200,000 rows a table', () => {
  it('plans no Seq Scan on a big table but the live trigger log (no index by record)', async () => {
    const { rows } = await db.mirror(
      'SELECT id FROM salesforce.contact_editor_affiliation__c WHERE affiliation_id__c = $1',
      [KEY],
    );
    const scans: Record<string, unknown[]> = {};
    for (const statement of statements([rows[0]!.id])) {
      const nodes = await plan(statement.on, statement.query);
      scans[statement.name] = seqScansOfBigTables(nodes);
      if (statement.name === 'trigger log') {
        const archive = nodes.filter((n) => n['Relation Name'] === '_trigger_log_archive');
        expect(archive.map((n) => n['Node Type'])).toEqual([
          expect.stringMatching(/^(Index Scan|Bitmap Heap Scan)$/),
        ]);
      }
    }
    // Connect's live _trigger_log has indexes on created_at, (state, id) and a partial one for
    // NEW/PENDING: none finds a record's entries, and sfsync adds none to Connect's tables.
    expect(scans).toEqual({
      'source row': [],
      'mirror rows': [],
      'trigger log': ['_trigger_log'],
      'parent school, mirror': [],
      'parent school, source': [],
      'parent contact, mirror': [],
      journal: [],
    });
  });

  it('runs no statement on a big table that the plans above did not check', async () => {
    const seen: string[] = [];
    const story = await explainRecord(fixtureConfig(db), {
      entity: 'role',
      key: KEY,
      staleMs: 30 * 60_000,
      onQuery: (event) => void seen.push(event.sql),
    });
    expect(story.verdict!.class).toBe('ok');
    expect(story.parents.map((p) => p.state)).toEqual(['ready', 'ready']);
    expect(story.triggerLog!.map((e) => e.table)).toEqual(['_trigger_log_archive', '_trigger_log']);
    const checked = new Set(
      statements(story.mirror.map((r) => r.id)).map((s) => s.query.compile(s.on.db).sql),
    );
    const onBigTables = seen.filter((text) => BIG.some((table) => text.includes(`"${table}"`)));
    // The record on both sides, its log, its two parents (a school has no parents to read).
    expect(onBigTables).toHaveLength(5);
    expect(onBigTables.filter((text) => !checked.has(text))).toEqual([]);
  });
});
