import { beforeAll, describe, expect, it } from 'vitest';
import type { EntityAudit } from '../../src/core/audit/types.js';
import { DatabaseError } from '../../src/errors.js';
import type { AuditResult } from '../../src/core/audit/result.js';
import { runAudit } from '../../src/ops/audit/audit.js';
import { fixtureConfigObject } from '../support/config-text.js';
import { useFixtureDatabases } from '../support/databases.js';
import { buildAuditScenario, u } from '../support/editor-scenario.js';
import { fixtureConfig, configFrom } from '../support/configs.js';
import { fingerprint } from '../support/fingerprint.js';

const db = useFixtureDatabases();
const config = () => fixtureConfig(db);
const MINUTE = 60_000;

let result: AuditResult;
const entity = (name: string): EntityAudit => result.entities.find((e) => e.name === name)!;
const find = (name: string, key: string) => [...entity(name).mismatches].find((m) => m.key === key);
const classOf = (name: string, key: string) => find(name, key)?.class;

beforeAll(async () => {
  await buildAuditScenario(db);
  result = await runAudit(config(), { staleMs: 30 * MINUTE });
});

describe('audit of the editor-api scenario', () => {
  it('reports every entity in canonical order with its counts', () => {
    expect(result.order).toEqual([
      'school',
      'contact',
      'role',
      'school_class',
      'class_teacher',
      'lesson',
    ]);
    expect(entity('school')).toMatchObject({
      sourceRows: 7,
      mirrorRows: 7,
      unsyncedRows: 3,
      counts: {
        ok: 2,
        pending: 1,
        absent: 1,
        missing_parent: 0,
        failed: 1,
        stuck: 1,
        drift: 1,
        duplicate: 0,
        orphan: 1,
      },
    });
    expect(entity('role')).toMatchObject({
      sourceRows: 7,
      mirrorRows: 4,
      counts: {
        ok: 0,
        pending: 0,
        absent: 1,
        missing_parent: 4,
        failed: 1,
        stuck: 0,
        drift: 1,
        duplicate: 0,
        orphan: 0,
      },
    });
    expect(entity('school_class').counts).toMatchObject({ ok: 1, drift: 1, duplicate: 1 });
    expect(entity('lesson')).toMatchObject({ sourceRows: 2, counts: { ok: 1, missing_parent: 1 } });
    expect(entity('class_teacher')).toMatchObject({ sourceRows: 0, mirrorRows: 0 });
    expect(result.totals.mismatches).toBe(15);
  });

  it('counts a read-only entity without auditing it for absence', () => {
    expect(entity('contact')).toMatchObject({
      readOnly: true,
      sourceRows: null,
      mirrorRows: 2,
      unsyncedRows: 0,
      mismatches: [],
    });
  });

  it('classifies a FAILED child whose parent has since synced as failed and repairable', () => {
    expect(find('role', '1')).toMatchObject({
      class: 'failed',
      code: 'FOREIGN_KEY_NOT_FOUND',
      repairable: true,
      error: { value: u(1), field: 'EditorUUID__c', object: 'Editor__c' },
      mirror: { lastop: 'FAILED', sfid: null },
      parent: null,
    });
    expect(find('role', '1')!.hint).toMatch(/delete the sfid-NULL row and insert it again/);
  });

  it('a FAILED child whose parent is unsynced is missing_parent, keeping its own state', () => {
    expect(find('role', '2')).toMatchObject({
      class: 'missing_parent',
      parent: { entity: 'school', key: u(7), state: 'unsynced' },
      code: 'FOREIGN_KEY_NOT_FOUND',
      repairable: false,
      mirror: { lastop: 'FAILED' },
    });
  });

  it('names a parent that never arrived upstream, and one that FAILED', () => {
    expect(find('role', '3')).toMatchObject({
      class: 'missing_parent',
      parent: { entity: 'contact', key: u(109), state: 'absent' },
    });
    expect(find('role', '3')!.reason).toBe(
      `parent contact ${u(109)} has no mirror row; this row is FAILED (FOREIGN_KEY_NOT_FOUND)`,
    );
    expect(find('role', '8')).toMatchObject({
      class: 'missing_parent',
      parent: { entity: 'school', key: u(8), state: 'failed' },
      mirror: null,
    });
    expect(find('role', '6')).toMatchObject({
      class: 'missing_parent',
      parent: { entity: 'school', key: u(2), state: 'absent' },
      mirror: null,
    });
  });

  it("gives a missing_parent the hint true for where its parent is, not the error code's", () => {
    const then =
      'once it has an sfid, sfsync repair writes this row (re-inserting it if it FAILED)';
    expect(find('role', '3')!.hint).toBe(
      `contact ${u(109)} has not arrived from Salesforce ` +
        `(a read-only mapping sfsync cannot write): create it upstream; ${then}`,
    );
    expect(find('role', '6')!.hint).toBe(
      `school ${u(2)} was never written to the mirror: ` +
        `write it first (\`sfsync repair\` inserts it if its source row exists); ${then}`,
    );
    expect(find('role', '2')!.hint).toBe(
      `school ${u(7)} is in the mirror but Connect has not given it an sfid yet: ` +
        `wait for Connect (or use repair --wait); ${then}`,
    );
    expect(find('role', '8')!.hint).toBe(
      `school ${u(8)} FAILED to reach Salesforce itself: ` +
        `fix the parent first (see its own mismatch); ${then}`,
    );
    for (const key of ['2', '3', '6', '8'])
      expect(find('role', key)!.hint).not.toMatch(/reached Salesforce after this row/);
  });

  it('classifies rows never written, with parents ready, as absent', () => {
    expect(find('school', u(2))).toMatchObject({
      class: 'absent',
      mirror: null,
      reason: 'no mirror row: never written to the mirror',
    });
    expect(classOf('role', '5')).toBe('absent');
  });

  it('does not count rows filtered out by where', () => {
    expect(find('role', '4')).toBeUndefined();
    expect(find('lesson', u(303))).toBeUndefined();
  });

  it('classifies a mirror row whose source row is filtered out as orphan', () => {
    expect(find('school', u(4))).toMatchObject({ class: 'orphan', mirror: { lastop: 'SYNCED' } });
  });

  it('classifies twin rows for one key as duplicate, listing both', () => {
    const duplicate = find('school_class', u(202))!;
    expect(duplicate.class).toBe('duplicate');
    expect(duplicate.rows).toHaveLength(2);
    expect(duplicate.rows!.filter((r) => r.sfid !== null)).toHaveLength(1);
  });

  it('classifies a FAILED row with a non-retryable code as failed, not repairable', () => {
    expect(find('school', u(8))).toMatchObject({
      class: 'failed',
      code: 'FIELD_CUSTOM_VALIDATION_EXCEPTION',
      repairable: false,
    });
  });

  it('tells a stuck PENDING row (older than --stale) from a young one', () => {
    expect(find('school', u(7))).toMatchObject({ class: 'stuck', mirror: { lastop: 'PENDING' } });
    expect(find('school', u(7))!.ageSeconds).toBeGreaterThanOrEqual(7_200);
    expect(find('school', u(6))).toBeUndefined();
  });

  it('reports drift in text, boolean and datetime fields, normalised', () => {
    const drift = find('school', u(3))!;
    expect(drift.class).toBe('drift');
    expect(drift.fields).toEqual([
      { column: 'name', source: 'Drifted School', mirror: 'Old Name' },
      { column: 'country__c', source: 'GB', mirror: 'FR' },
      { column: 'verified__c', source: true, mirror: false },
      {
        column: 'discardedat__c',
        source: '2024-03-01T10:00:00.000Z',
        mirror: '2024-03-01T09:00:00.000Z',
      },
    ]);
    expect(find('role', '7')!.fields).toEqual([
      {
        column: 'createdat__c',
        source: '2024-04-01T08:00:00.000Z',
        mirror: '2024-04-01T09:00:00.000Z',
      },
    ]);
    expect(find('school_class', u(201))!.fields).toEqual([
      { column: 'numberofmembers__c', source: '3', mirror: 2 },
    ]);
  });

  it('does not call a truncated name with an ellipsis, or NULL against empty text, drift', () => {
    expect(find('school', u(5))).toBeUndefined();
  });

  it('accepts an optional parent that is NULL, but not one that names a missing record', () => {
    expect(find('lesson', u(301))).toBeUndefined();
    expect(find('lesson', u(302))).toMatchObject({
      class: 'missing_parent',
      parent: { entity: 'contact', key: u(109), state: 'absent' },
    });
  });
});

describe('audit options', () => {
  it('a list spilled past one mismatch in memory reads back as the in-memory one', async () => {
    const spilled = await runAudit(config(), {
      staleMs: 30 * MINUTE,
      mismatchesInMemory: 1,
      keysPerRead: 2,
    });
    expect(spilled.entities.map((e) => e.mismatches.length)).toEqual(
      result.entities.map((e) => e.mismatches.length),
    );
    // Ages count from each audit's own start, which may fall a second apart.
    const ageless = (e: EntityAudit) => [...e.mismatches].map((m) => ({ ...m, ageSeconds: 0 }));
    for (const [i, e] of spilled.entities.entries())
      expect(ageless(e)).toEqual(ageless(result.entities[i]!));
    expect(spilled.totals).toEqual(result.totals);
    expect(spilled.totals.mismatches).toBeGreaterThan(10);
  });

  it('uses --stale: a row written 10 minutes ago is stuck at 5m, pending at 30m', async () => {
    const strict = await runAudit(config(), { staleMs: 5 * MINUTE, entities: ['school'] });
    expect([...strict.entities[0]!.mismatches].find((m) => m.key === u(6))?.class).toBe('stuck');
  });

  it('--entity reports only the named entities and reads their parents for readiness', async () => {
    const only = await runAudit(config(), { staleMs: 30 * MINUTE, entities: ['role'] });
    expect(only.order).toEqual(['role']);
    expect(only.entities.map((e) => e.name)).toEqual(['role']);
    expect(only.entities[0]!.counts).toEqual(entity('role').counts);
  });

  it('counts NULL-key source rows; a key on several source rows is source_duplicate', async () => {
    const raw = fixtureConfigObject();
    raw.entities[2].source.key = 'user_id';
    raw.entities[5].source.key = 'user_id';
    const variant = configFrom(raw, db);
    const result = await runAudit(variant, { staleMs: MINUTE, entities: ['role', 'lesson'] });
    expect(
      result.entities.map((e) => [e.name, e.sourceRowsWithoutKey, e.counts.source_duplicate]),
    ).toEqual([
      ['role', 0, 2],
      ['lesson', 1, 0],
    ]);
    const duplicates = [...result.entities[0]!.mismatches].filter(
      (m) => m.class === 'source_duplicate',
    );
    expect(duplicates.map((m) => [m.key, m.sourceRows])).toEqual([
      [u(101), 3],
      [u(102), 3],
    ]);
    expect(duplicates[0]!.reason).toBe(
      '3 source rows carry this key: source.key is not unique, ' +
        "so which row the mirror should hold is the app's call",
    );
  });

  it('rejects an unknown --entity with a suggestion', async () => {
    await expect(runAudit(config(), { staleMs: MINUTE, entities: ['rol'] })).rejects.toThrow(
      '--entity rol: no such entity in the config — did you mean "role"?',
    );
  });
});

describe('the audit only reads', () => {
  it('runs in a READ ONLY transaction: a trusted fragment that writes is refused', async () => {
    await db.source(
      `CREATE FUNCTION sneaky_write() RETURNS boolean LANGUAGE sql VOLATILE
        AS $$ UPDATE schools SET name = 'changed' RETURNING true $$`,
    );
    const raw = fixtureConfigObject();
    raw.entities[0].source.where = 'src.rejected_at IS NULL AND sneaky_write()';
    const writing = configFrom(raw, db);
    const promise = runAudit(writing, { staleMs: MINUTE });
    await expect(promise).rejects.toBeInstanceOf(DatabaseError);
    await expect(promise).rejects.toThrow(/read-only transaction/);
    const { rows } = await db.source(
      `SELECT count(*)::int AS n FROM schools WHERE name = 'changed'`,
    );
    expect(rows[0].n).toBe(0);
  });

  it('a fragment `…; COMMIT; CREATE TABLE …` stays one statement: no commit, no run', async () => {
    const raw = fixtureConfigObject();
    // Closes the audit's own parentheses, commits its READ ONLY transaction, writes, then reopens
    // what follows.
    raw.entities[0].source.where =
      'true)) AS s0; COMMIT; CREATE TABLE audit_pwned (x int); ' +
      'SELECT * FROM (SELECT 1 AS "key" WHERE (true';
    const attack = configFrom(raw, db);
    await expect(runAudit(attack, { staleMs: MINUTE })).rejects.toMatchObject({
      database: 'source',
      sqlstate: '42601',
    });
    const { rows } = await db.source(
      `SELECT to_regclass('public.audit_pwned') IS NOT NULL AS created`,
    );
    expect(rows[0].created).toBe(false);
  });

  it('leaves both databases exactly as they were', async () => {
    const before = await fingerprint(db);
    await runAudit(config(), { staleMs: MINUTE });
    expect(await fingerprint(db)).toEqual(before);
  });
});
