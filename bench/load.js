// The benchmark's data: one parent entity (schools → editor__c) and one child
// (school_classes → classroom__c, a lookup to its school), n rows each, in the
// fixture's schemas. The mirror is written as Connect writes it (xmlbinary hex:
// not captured), then damaged: 1% absent, 0.5% FAILED without an sfid, 0.5%
// drifted (a renamed row), on both entities.
import pg from 'pg';
import { fileURLToPath } from 'node:url';
import { runSqlFile } from '../dist/db/driver/run-sql-file.js';

const root = fileURLToPath(new URL('..', import.meta.url));

export const BENCH_ENTITIES = [
  {
    name: 'school',
    source: { table: 'schools', key: 'id', where: 'src.rejected_at IS NULL' },
    mirror: { table: 'editor__c', externalId: 'editoruuid__c' },
    fields: {
      name: 'name',
      website__c: 'website',
      town__c: 'municipality',
      country__c: { sql: 'upper(src.country_code)' },
    },
  },
  {
    name: 'school_class',
    source: { table: 'school_classes', key: 'id' },
    mirror: { table: 'classroom__c', externalId: 'classroomuuid__c' },
    fields: { classroomtitle__c: 'name', createdat__c: 'created_at', updatedat__c: 'updated_at' },
    parents: [{ entity: 'school', column: 'school_id', lookup: 'editor__r__editoruuid__c' }],
  },
];

/**
 * Creates database `name` on the server and fills it with n rows per entity, both schemas in it.
 */
export async function loadBenchDatabase(adminUrl, url, name, n) {
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${name}`);
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  await runSqlFile(url, `${root}fixtures/editor-api/source.sql`);
  await runSqlFile(url, `${root}fixtures/connect/runtime.sql`);
  await runSqlFile(url, `${root}fixtures/editor-api/mirror.sql`);
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const at = (i) => `timestamp '2024-01-01 00:00:00' + (${i}) * interval '1 second'`;
  await client.query(`
    INSERT INTO schools (id, name, website, municipality, country_code, user_origin, created_at,
                         updated_at)
    SELECT md5('s' || i)::uuid, 'School ' || i, 'https://school' || i || '.example',
           'Town ' || (i % 500), 'gb', i % 2, now(), now()
      FROM generate_series(1, ${n}) AS i`);
  await client.query(`
    INSERT INTO school_classes (id, school_id, name, created_at, updated_at)
    SELECT md5('c' || i)::uuid, md5('s' || (1 + (i * 7) % ${n}))::uuid, 'Class ' || i,
           (${at('i')}) AT TIME ZONE 'UTC', (${at('i + 60')}) AT TIME ZONE 'UTC'
      FROM generate_series(1, ${n}) AS i`);
  await client.query('SET xmlbinary = hex');
  const sfid = (prefix, i) =>
    `CASE WHEN ${i} % 200 = 50 THEN NULL
          ELSE '${prefix}' || lpad(${i}::text, 12, '0') || 'AAA' END`;
  const lastop = (i) => `CASE WHEN ${i} % 200 = 50 THEN 'FAILED' ELSE 'SYNCED' END`;
  await client.query(`
    INSERT INTO salesforce.editor__c (editoruuid__c, sfid, name, website__c, town__c, country__c,
                                      _hc_lastop)
    SELECT md5('s' || i)::uuid::text, ${sfid('a00', 'i')},
           CASE WHEN i % 200 = 25 THEN 'Renamed ' || i ELSE 'School ' || i END,
           'https://school' || i || '.example', 'Town ' || (i % 500), 'GB', ${lastop('i')}
      FROM generate_series(1, ${n}) AS i WHERE i % 100 <> 0`);
  await client.query(`
    INSERT INTO salesforce.classroom__c (classroomuuid__c, sfid, editor__r__editoruuid__c,
                                         classroomtitle__c, createdat__c, updatedat__c, _hc_lastop)
    SELECT md5('c' || i)::uuid::text, ${sfid('a01', 'i')},
           md5('s' || (1 + (i * 7) % ${n}))::uuid::text,
           CASE WHEN i % 200 = 25 THEN 'Renamed ' || i ELSE 'Class ' || i END,
           ${at('i')}, ${at('i + 60')}, ${lastop('i')}
      FROM generate_series(1, ${n}) AS i WHERE i % 100 <> 1`);
  // Connect keeps its own _hc_lastop only on UPDATE (the status trigger), so fail rows afterwards.
  const failure = `Foreign key external ID: x not found for field Editor__c in entity Classroom__c`;
  await client.query(
    `UPDATE salesforce.editor__c
        SET _hc_lastop = 'FAILED', _hc_err = 'unable to obtain exclusive access to this record'
      WHERE sfid IS NULL`,
  );
  await client.query(
    `UPDATE salesforce.classroom__c SET _hc_lastop = 'FAILED', _hc_err = $1 WHERE sfid IS NULL`,
    [failure],
  );
  // Hint bits and statistics now, so no measurement pays for the load.
  await client.query('VACUUM (ANALYZE)');
  await client.end();
}

/** A copy of a loaded database (a file copy on the server: seconds, not a reload). */
export async function copyDatabase(adminUrl, from, to) {
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${to}`);
  await admin.query(`CREATE DATABASE ${to} TEMPLATE ${from}`);
  await admin.end();
}

export async function dropDatabase(adminUrl, name) {
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${name}`);
  await admin.end();
}

/**
 * Repairs the damage by hand (as a fully synced mirror would be): the healthy mirror of the
 * checksum target.
 */
export async function healDatabase(url) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  await client.query('SET xmlbinary = hex');
  await client.query(
    `UPDATE salesforce.editor__c SET name = 'School ' || substr(name, 9)
      WHERE name LIKE 'Renamed %'`,
  );
  await client.query(
    `UPDATE salesforce.classroom__c SET classroomtitle__c = 'Class ' || substr(classroomtitle__c, 9)
      WHERE classroomtitle__c LIKE 'Renamed %'`,
  );
  await client.query(
    `UPDATE salesforce.editor__c
        SET sfid = 'a02' || lpad(id::text, 12, '0') || 'AAA', _hc_err = NULL
      WHERE sfid IS NULL`,
  );
  await client.query(
    `UPDATE salesforce.classroom__c
        SET sfid = 'a03' || lpad(id::text, 12, '0') || 'AAA', _hc_err = NULL
      WHERE sfid IS NULL`,
  );
  await client.query(`
    INSERT INTO salesforce.editor__c (editoruuid__c, sfid, name, website__c, town__c, country__c)
    SELECT s.id::text, 'a04' || lpad(row_number() OVER ()::text, 12, '0') || 'AAA', s.name,
           s.website, s.municipality, upper(s.country_code)
      FROM schools s
     WHERE NOT EXISTS (SELECT 1 FROM salesforce.editor__c m WHERE m.editoruuid__c = s.id::text)`);
  await client.query(`
    INSERT INTO salesforce.classroom__c (classroomuuid__c, sfid, editor__r__editoruuid__c,
                                         classroomtitle__c, createdat__c, updatedat__c)
    SELECT c.id::text, 'a05' || lpad(row_number() OVER ()::text, 12, '0') || 'AAA',
           c.school_id::text, c.name, c.created_at AT TIME ZONE 'UTC',
           c.updated_at AT TIME ZONE 'UTC'
      FROM school_classes c
     WHERE NOT EXISTS (SELECT 1 FROM salesforce.classroom__c m
                        WHERE m.classroomuuid__c = c.id::text)`);
  // The status trigger made every row written here PENDING; Connect would have synced them.
  await client.query(
    `UPDATE salesforce.editor__c SET _hc_lastop = 'SYNCED'
      WHERE _hc_lastop IS DISTINCT FROM 'SYNCED'`,
  );
  await client.query(
    `UPDATE salesforce.classroom__c SET _hc_lastop = 'SYNCED'
      WHERE _hc_lastop IS DISTINCT FROM 'SYNCED'`,
  );
  await client.query('VACUUM (ANALYZE)');
  await client.end();
}

/**
 * Damages a healed mirror as a normal night does: one row in `every` drifted (renamed), spread
 * through the key space (the keys are UUIDs, so any rule on the row number is spread in the key
 * hash), nothing else out of step. Connect's session (hex), so nothing is captured.
 */
export async function driftDatabase(url, every) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  await client.query('SET xmlbinary = hex');
  for (const [table, column] of [
    ['editor__c', 'name'],
    ['classroom__c', 'classroomtitle__c'],
  ]) {
    await client.query(
      `UPDATE salesforce.${table} SET ${column} = ${column} || ' (renamed)' WHERE id % $1 = 7`,
      [every],
    );
    await client.query(
      `UPDATE salesforce.${table} SET _hc_lastop = 'SYNCED' WHERE _hc_lastop <> 'SYNCED'`,
    );
  }
  await client.query('VACUUM (ANALYZE)');
  await client.end();
}

/**
 * The mirror of a new object: Connect's tables mapped but empty, so a backfill writes every row.
 */
export async function emptyMirror(url) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  await client.query(
    'TRUNCATE salesforce.editor__c, salesforce.classroom__c, salesforce._trigger_log',
  );
  await client.query('VACUUM (ANALYZE)');
  await client.end();
}
