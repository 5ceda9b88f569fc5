import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { ConfigError } from '../../src/errors.js';
import { runDoctor } from '../../src/ops/doctor.js';
import { fixtureConfigObject } from '../support/config-text.js';
import { useFixtureDatabases } from '../support/databases.js';
import { FIXTURE_CONFIG } from '../support/paths.js';
import { configFrom, fixtureConfig } from '../support/configs.js';
import { resolveConfig } from '../../src/config/resolve-url.js';
import { doctorExitCode } from '../../src/cli/exit-codes.js';
import { renderDoctorTable } from '../../src/render/doctor.js';

const db = useFixtureDatabases();

describe('doctor on the loaded editor-api fixtures', () => {
  it('reports healthy: no errors, no warnings', async () => {
    const report = await runDoctor(fixtureConfig(db));
    expect(report.findings.filter((f) => f.level !== 'info')).toEqual([]);
    expect(report.ok).toBe(true);
    expect(report.databases.source).toMatchObject({ reachable: true, schema: 'public' });
    expect(report.databases.mirror).toMatchObject({ reachable: true, schema: 'salesforce' });
    expect(report.databases.mirror.serverVersion).toMatch(/^\d+/);
    expect(report.findings.map((f) => f.code)).toEqual(
      expect.arrayContaining(['trigger_log_present', 'xmlbinary_captured']),
    );
    expect(report.findings.filter((f) => f.code === 'connect_triggers_present')).toHaveLength(6);
    // The fixtures index the logs as Connect does: the archive by record_id, the live log not.
    expect(
      report.findings.filter((f) => f.code === 'trigger_log_unindexed').map((f) => f.message),
    ).toEqual([expect.stringMatching(/^salesforce\._trigger_log has no index on record_id/)]);
  });

  it('todo notes: usable once settled, not healthy; exits 2 unless they are allowed', async () => {
    const raw = fixtureConfigObject();
    raw.entities[0].todo = [
      'schools has 300 rows and editor__c 289: ' +
        'if the app syncs only some rows, add the rule as source.where',
    ];
    const report = await runDoctor(configFrom(raw, db));
    expect(report).toMatchObject({ ok: false, todos: 1, todosAllowed: false });
    expect(renderDoctorTable(report)).toMatch(
      new RegExp(
        String.raw`\nusable once 1 todo note is settled: audit works now; ` +
          'repair and backfill refuse to write until ',
      ),
    );
    expect(doctorExitCode(report)).toBe(2);
    const allowed = await runDoctor(configFrom(raw, db), { allowTodo: true });
    expect(allowed).toMatchObject({ ok: true, todos: 1, todosAllowed: true });
    expect(renderDoctorTable(allowed)).toMatch(
      /\nhealthy with 1 todo note left \(--allow-todo\): /,
    );
    expect(doctorExitCode(allowed)).toBe(0);
  });

  it('finds a dropped unique index and a renamed column, and suggests the new name', async () => {
    await db.mirror('DROP INDEX salesforce.hcu_idx_lesson__c_lesson_uuid__c');
    await db.source('ALTER TABLE school_classes RENAME COLUMN name TO title');
    try {
      const report = await runDoctor(fixtureConfig(db));
      expect(report.ok).toBe(false);
      expect(report.findings).toContainEqual(
        expect.objectContaining({
          level: 'warning',
          code: 'external_id_not_unique',
          entity: 'lesson',
        }),
      );
      expect(report.findings).toContainEqual(
        expect.objectContaining({
          level: 'error',
          code: 'column_missing',
          entity: 'school_class',
          message: 'fields.classroomtitle__c: column public.school_classes.name does not exist',
        }),
      );
    } finally {
      await db.source('ALTER TABLE school_classes RENAME COLUMN title TO name');
      await db.mirror(
        `CREATE UNIQUE INDEX hcu_idx_lesson__c_lesson_uuid__c
          ON salesforce.lesson__c (lesson_uuid__c)`,
      );
    }
  });

  it('compiles each trusted SQL fragment against the source, reports the broken one', async () => {
    const raw = fixtureConfigObject();
    raw.entities[0].source.where = 'src.rejected_on IS NULL';
    raw.entities[3].fields.numberofmembers__c = { sql: '(SELECT count(*) FROM class_student)' };
    const report = await runDoctor(configFrom(raw, db));
    const invalid = report.findings.filter((f) => f.code === 'source_sql_invalid');
    expect(invalid.map((f) => f.entity)).toEqual(['school', 'school_class']);
    expect(invalid[0]!.message).toMatch(/column src\.rejected_on does not exist/);
    expect(invalid[1]!.message).toMatch(/relation "class_student" does not exist/);
    expect(report.ok).toBe(false);
  });

  it("is not usable if the session's xmlbinary is hex (writes would bypass Connect)", async () => {
    const database = new URL(db.mirrorUrl).pathname.slice(1);
    await db.mirror(`ALTER DATABASE ${database} SET xmlbinary = hex`);
    try {
      const report = await runDoctor(fixtureConfig(db));
      expect(report.ok).toBe(false);
      expect(report.findings).toContainEqual(
        expect.objectContaining({ level: 'error', code: 'xmlbinary_not_captured' }),
      );
    } finally {
      await db.mirror(`ALTER DATABASE ${database} RESET xmlbinary`);
    }
  });

  it('reports a missing schema', async () => {
    const config = fixtureConfig(db);
    const report = await runDoctor({
      ...config,
      mirror: { ...config.mirror, schema: 'sales_force' },
    });
    expect(report.findings).toContainEqual(
      expect.objectContaining({
        database: 'mirror',
        code: 'schema_missing',
        message: 'schema sales_force does not exist',
      }),
    );
  });

  it('still diagnoses the source when the mirror is unreachable', async () => {
    const report = await runDoctor(
      fixtureConfig({
        sourceUrl: db.sourceUrl,
        mirrorUrl: 'postgres://sfsync:topsecret@127.0.0.1:1/nowhere',
      }),
    );
    expect(report.ok).toBe(false);
    expect(report.databases.mirror).toMatchObject({ reachable: false });
    const unreachable = report.findings.find((f) => f.code === 'unreachable')!;
    expect(unreachable.message).toBe(
      'cannot connect to the mirror database (127.0.0.1:1/nowhere): ' +
        'connection refused (is the server running, and is the port right?)',
    );
    expect(report.databases.source.reachable).toBe(true);
    expect(report.findings.filter((f) => f.database === 'source' && f.level === 'error')).toEqual(
      [],
    );
  });

  it('reports every unset URL variable at once, as a config error', async () => {
    const promise = Promise.resolve().then(() =>
      resolveConfig(loadConfig({ configPath: FIXTURE_CONFIG }), {}),
    );
    await expect(promise).rejects.toBeInstanceOf(ConfigError);
    await expect(promise).rejects.toThrow(
      new RegExp(
        String.raw`source\.url: environment variable DATABASE_URL is not set[\s\S]*` +
          String.raw`mirror\.url: environment variable SALESFORCE_CONNECT_DB is not set`,
      ),
    );
  });
});

describe('doctor and trusted SQL fragments', () => {
  it('plans but never runs `…; COMMIT; CREATE TABLE …`: reported, nothing created', async () => {
    const raw = fixtureConfigObject();
    raw.entities[0].source.where = 'true); COMMIT; CREATE TABLE doctor_pwned (x int); SELECT (true';
    raw.entities[3].fields.classroomtitle__c = {
      sql: 'src.name); CREATE TABLE doctor_pwned_too (x int); SELECT (1',
    };
    const report = await runDoctor(configFrom(raw, db));
    const invalid = report.findings.filter((f) => f.code === 'source_sql_invalid');
    expect(invalid.map((f) => f.entity)).toEqual(['school', 'school_class']);
    expect(invalid[0]!.message).toMatch(
      /cannot insert multiple commands into a prepared statement \[SQLSTATE 42601\]/,
    );
    const { rows } = await db.source(
      `SELECT to_regclass('public.doctor_pwned') IS NOT NULL AS one,
              to_regclass('public.doctor_pwned_too') IS NOT NULL AS two`,
    );
    expect(rows[0]).toEqual({ one: false, two: false });
  });
});
