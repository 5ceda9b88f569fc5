import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DatabaseError, LockError, UsageError } from '../../src/errors.js';
import { acquireWriteLock } from '../../src/db/sfsync/lock.js';
import { runRepair, type RepairResult } from '../support/repair.js';
import { connectActor } from '../support/connect-actor.js';
import { beforeFirstWrite } from '../support/races.js';
import { useFixtureDatabases } from '../support/databases.js';
import { buildAuditScenario, u } from '../support/editor-scenario.js';
import { configFrom, fixtureConfig, repairOptions } from '../support/configs.js';
import { fixtureConfigObject } from '../support/config-text.js';
import { fingerprint } from '../support/fingerprint.js';

const db = useFixtureDatabases();
const config = () => fixtureConfig(db);
const base = repairOptions();
const action = (result: RepairResult, entity: string, key: string) =>
  result.actions.find((a) => a.entity === entity && a.key === key);
const MIRROR_TABLES = [
  'editor__c',
  'contact',
  'contact_editor_affiliation__c',
  'classroom__c',
  'lesson__c',
];

async function syncedRows() {
  const rows: Record<string, unknown>[] = [];
  for (const t of MIRROR_TABLES)
    rows.push(
      ...(
        await db.mirror(
          `SELECT '${t}' AS t, * FROM salesforce.${t} WHERE sfid IS NOT NULL ORDER BY id`,
        )
      ).rows,
    );
  return rows;
}

let dryRun: RepairResult;
let applied: RepairResult;
let before: Awaited<ReturnType<typeof fingerprint>>;
let syncedBefore: Record<string, unknown>[];

beforeAll(async () => {
  await buildAuditScenario(db);
  before = await fingerprint(db);
  syncedBefore = await syncedRows();
  dryRun = await runRepair(config(), { ...base, dryRun: true });
});

describe('repair --dry-run', () => {
  it('plans one action per mismatch, in canonical order', () => {
    expect(dryRun).toMatchObject({
      dryRun: true,
      runId: null,
      order: ['school', 'contact', 'role', 'school_class', 'class_teacher', 'lesson'],
    });
    const plan = Object.fromEntries(
      dryRun.actions.map((a) => [`${a.entity}:${a.key}`, `${a.action}/${a.status}`]),
    );
    expect(plan).toEqual({
      [`school:${u(2)}`]: 'insert/planned',
      [`school:${u(3)}`]: 'update/planned',
      [`school:${u(4)}`]: 'skip/skipped',
      [`school:${u(7)}`]: 'skip/skipped',
      [`school:${u(8)}`]: 'skip/skipped',
      'role:1': 'reinsert/planned',
      'role:2': 'defer/deferred',
      'role:3': 'defer/deferred',
      'role:5': 'insert/planned',
      'role:6': 'defer/deferred',
      'role:7': 'update/planned',
      'role:8': 'defer/deferred',
      [`school_class:${u(201)}`]: 'update/planned',
      [`school_class:${u(202)}`]: 'dedupe/planned',
      [`lesson:${u(302)}`]: 'defer/deferred',
    });
    expect(action(dryRun, 'role', '3')!.blockedBy).toEqual({
      entity: 'contact',
      key: u(109),
      state: 'absent',
    });
    expect(action(dryRun, 'school', u(3))!.columns).toEqual([
      'name',
      'country__c',
      'verified__c',
      'discardedat__c',
    ]);
    expect(action(dryRun, 'school', u(8))!.reason).toMatch(/validation rule/);
  });

  it('writes nothing: mirror tables, trigger log and the sfsync schema are unchanged', async () => {
    expect(await fingerprint(db)).toEqual(before);
  });
});

describe('repair', () => {
  beforeAll(async () => {
    applied = await runRepair(config(), { ...base, entities: undefined });
  });

  it('does what it planned, level by level, and reports deferrals', () => {
    const status = Object.fromEntries(
      applied.actions.map((a) => [`${a.entity}:${a.key}`, `${a.action}/${a.status}`]),
    );
    expect(status).toMatchObject({
      [`school:${u(2)}`]: 'insert/done',
      [`school:${u(3)}`]: 'update/done',
      'role:1': 'reinsert/done',
      'role:5': 'insert/done',
      'role:7': 'update/done',
      [`school_class:${u(201)}`]: 'update/done',
      [`school_class:${u(202)}`]: 'dedupe/done',
      'role:2': 'defer/deferred',
      // The parent school u(2) was inserted in this run but has no sfid yet.
      'role:6': 'defer/deferred',
    });
    expect(applied.runId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('re-inserts a FAILED child as Connect sees it: an IGNOREd delete, a NEW insert', async () => {
    const { rows } = await db.mirror(
      `SELECT action, state, sfid FROM salesforce._trigger_log
        WHERE table_name = 'contact_editor_affiliation__c'
        AND (("values" LIKE '%"affiliation_id__c"=>"1"%')
          OR (old LIKE '%"affiliation_id__c"=>"1"%'))
        ORDER BY id`,
    );
    expect(rows.map((r) => `${r.action}:${r.state}`)).toEqual([
      'INSERT:FAILED',
      'DELETE:IGNORE',
      'INSERT:NEW',
    ]);
    const mirror = await db.mirror(
      `SELECT _hc_lastop, sfid, editor__r__editoruuid__c
        FROM salesforce.contact_editor_affiliation__c WHERE affiliation_id__c = '1'`,
    );
    expect(mirror.rows).toEqual([
      { _hc_lastop: 'PENDING', sfid: null, editor__r__editoruuid__c: u(1) },
    ]);
  });

  it('journals every deleted row in full, with who ran it', async () => {
    const { rows } = await db.mirror(
      `SELECT j.action, j.entity, j.key, j.before, r.actor, r.host, r.command_line, r.status
      FROM sfsync.journal j JOIN sfsync.runs r USING (run_id)
      WHERE j.run_id = $1 AND j.action = 'delete' ORDER BY j.entity, j.id`,
      [applied.runId],
    );
    expect(rows.map((r) => `${r.entity}:${r.key}`)).toEqual(['role:1', `school_class:${u(202)}`]);
    expect(rows[0].before).toMatchObject({
      affiliation_id__c: '1',
      sfid: null,
      _hc_lastop: 'FAILED',
      _hc_err: expect.stringContaining('Foreign key external ID'),
    });
    expect(rows[0]).toMatchObject({
      command_line: 'sfsync repair --yes',
      status: 'done',
      actor: expect.any(String),
      host: expect.any(String),
    });
  });

  it("never deletes or rewrites rows with an sfid, except an update's mapped columns", async () => {
    const after = await syncedRows();
    const key = (r: Record<string, unknown>) => `${r.t}:${r.id}`;
    const afterById = new Map(after.map((r) => [key(r), r]));
    const updatedColumns = new Set([
      'name',
      'country__c',
      'verified__c',
      'discardedat__c',
      'createdat__c',
      'numberofmembers__c',
      '_hc_lastop',
    ]);
    for (const row of syncedBefore) {
      const now = afterById.get(key(row));
      expect(now, `synced row ${key(row)} must still exist`).toBeDefined();
      for (const [column, value] of Object.entries(row)) {
        if (updatedColumns.has(column)) continue;
        expect(now![column], `${key(row)}.${column}`).toEqual(value);
      }
    }
  });

  it('updates drifted rows with a real change that Connect captures', async () => {
    const { rows } = await db.mirror(
      `SELECT name, country__c, verified__c, _hc_lastop FROM salesforce.editor__c
        WHERE editoruuid__c = $1`,
      [u(3)],
    );
    expect(rows[0]).toEqual({
      name: 'Drifted School',
      country__c: 'GB',
      verified__c: true,
      _hc_lastop: 'PENDING',
    });
    const log = await db.mirror(
      `SELECT state, "values" FROM salesforce._trigger_log
        WHERE table_name = 'editor__c' AND action = 'UPDATE' ORDER BY id DESC LIMIT 1`,
    );
    expect(log.rows[0].state).toBe('NEW');
    expect(log.rows[0].values).toContain('"name"=>"Drifted School"');
  });

  it('journals each update with the row before and after', async () => {
    const { rows } = await db.mirror(
      `SELECT before->>'name' AS before, after->>'name' AS after, mirror_id FROM sfsync.journal
        WHERE run_id = $1 AND action = 'update' AND key = $2`,
      [applied.runId, u(3)],
    );
    const { rows: mirrored } = await db.mirror(
      `SELECT id FROM salesforce.editor__c WHERE editoruuid__c = $1`,
      [u(3)],
    );
    expect(rows).toEqual([
      {
        before: expect.not.stringMatching(/^Drifted School$/),
        after: 'Drifted School',
        mirror_id: mirrored[0].id,
      },
    ]);
  });

  it('plans nothing new when run again right away', async () => {
    const again = await runRepair(config(), { ...base, dryRun: true });
    expect(again.actions.filter((a) => a.status === 'planned')).toEqual([]);
  });
});

describe('repair safety', () => {
  beforeEach(async () => {
    await db.reset();
    await buildAuditScenario(db);
  });

  it('leaves alone a row that Connect synced between the audit and the write', async () => {
    const connect = connectActor(db);
    await db.source(`INSERT INTO roles (id, school_id, user_id, role) VALUES (20, $1, $2, 1)`, [
      u(1),
      u(101),
    ]);
    await db.mirror(
      `INSERT INTO salesforce.contact_editor_affiliation__c (affiliation_id__c,
        editor__r__editoruuid__c, contact__r__pi_accounts_unique_id__c, roletype__c,
        createdat__c, updatedat__c)
      SELECT '20', $1, $2, 'teacher', created_at AT TIME ZONE 'UTC', updated_at AT TIME ZONE 'UTC'
        FROM (SELECT now() AS created_at, now() AS updated_at) t`,
      [u(1), u(101)],
    );
    await connect.failed(
      'contact_editor_affiliation__c',
      'affiliation_id__c',
      '20',
      'unable to obtain exclusive access to this record',
    );
    const result = await runRepair(config(), {
      ...base,
      entities: ['role'],
      only: ['failed'],
      onQuery: beforeFirstWrite(() =>
        connect.inserted('contact_editor_affiliation__c', 'affiliation_id__c', '20'),
      ),
    });
    expect(action(result, 'role', '20')).toMatchObject({ action: 'reinsert', status: 'skipped' });
    expect(action(result, 'role', '20')!.detail).toMatch(
      /already has an sfid|changed since the audit/,
    );
    const { rows } = await db.mirror(
      `SELECT count(*)::int AS n, min(sfid) AS sfid FROM salesforce.contact_editor_affiliation__c
        WHERE affiliation_id__c = '20'`,
    );
    expect(rows[0].n).toBe(1);
    expect(rows[0].sfid).not.toBeNull();
  });

  it('leaves alone a drifted row that lost its sfid between the audit and the write', async () => {
    const { rows: before } = await db.mirror(
      `SELECT name FROM salesforce.editor__c WHERE editoruuid__c = $1`,
      [u(3)],
    );
    const result = await runRepair(config(), {
      ...base,
      entities: ['school'],
      only: ['drift'],
      onQuery: beforeFirstWrite(() =>
        db.mirror(`UPDATE salesforce.editor__c SET sfid = NULL WHERE editoruuid__c = $1`, [u(3)]),
      ),
    });
    expect(action(result, 'school', u(3))).toMatchObject({
      action: 'update',
      status: 'skipped',
      detail: 'the row has no sfid any more: not updated',
    });
    const { rows: after } = await db.mirror(
      `SELECT name FROM salesforce.editor__c WHERE editoruuid__c = $1`,
      [u(3)],
    );
    expect(after).toEqual(before);
  });

  describe('dedupe', () => {
    /**
     * A school whose mirror row the app wrote twice (the unique index gone): two sfid-NULL rows,
     * ids in order.
     */
    async function twice(key: string, copies = 2): Promise<number[]> {
      await db.mirror('DROP INDEX IF EXISTS salesforce.hcu_idx_editor__c_editoruuid__c');
      await db.source(
        `INSERT INTO schools (id, name, country_code) VALUES ($1, 'Twin School', 'gb')`,
        [key],
      );
      for (let i = 0; i < copies; i++) {
        await db.mirror(
          `INSERT INTO salesforce.editor__c
            (editoruuid__c, name, country__c, editortype__c, verified__c)
            VALUES ($1, 'Twin School', 'GB', 'for_education', false)`,
          [key],
        );
      }
      const { rows } = await db.mirror(
        `SELECT id FROM salesforce.editor__c WHERE editoruuid__c = $1 ORDER BY id`,
        [key],
      );
      return rows.map((r) => r.id as number);
    }

    it('journals each deleted row in full under its own id, and keeps the newest', async () => {
      const [older, newer] = await twice(u(61));
      const result = await runRepair(config(), {
        ...base,
        entities: ['school'],
        only: ['duplicate'],
      });
      expect(action(result, 'school', u(61))).toMatchObject({
        action: 'dedupe',
        status: 'done',
        detail: null,
        mirrorId: newer,
        deleteIds: [older],
      });
      const { rows } = await db.mirror(
        `SELECT mirror_id, (before->>'id')::int AS before_id, key FROM sfsync.journal
          WHERE run_id = $1 AND action = 'delete'`,
        [result.runId],
      );
      expect(rows).toEqual([{ mirror_id: older, before_id: older, key: u(61) }]);
      const left = await db.mirror(`SELECT id FROM salesforce.editor__c WHERE editoruuid__c = $1`, [
        u(61),
      ]);
      expect(left.rows).toEqual([{ id: newer }]);
    });

    it('never deletes an extra row synced since the audit: its SF record would go', async () => {
      const connect = connectActor(db);
      const [older, newer] = await twice(u(62));
      let sfid = '';
      // The audit saw two sfid-NULL rows and planned to delete the older; Connect sends it first.
      const onQuery = beforeFirstWrite(async () => {
        sfid = await connect.inserted('editor__c', 'editoruuid__c', u(62));
      });
      const result = await runRepair(config(), {
        ...base,
        entities: ['school'],
        only: ['duplicate'],
        onQuery,
      });
      expect(action(result, 'school', u(62))).toMatchObject({
        action: 'dedupe',
        status: 'skipped',
        deleteIds: [older],
      });
      expect(action(result, 'school', u(62))!.detail).toMatch(/gained an sfid since the audit/);
      const { rows } = await db.mirror(
        `SELECT id, sfid FROM salesforce.editor__c WHERE editoruuid__c = $1 ORDER BY id`,
        [u(62)],
      );
      expect(rows).toEqual([
        { id: older, sfid },
        { id: newer, sfid: null },
      ]);
      expect(
        (await db.mirror(`SELECT count(*)::int AS n FROM sfsync.journal WHERE action = 'delete'`))
          .rows[0].n,
      ).toBe(0);
    });

    it('deletes extra rows still unsynced, keeps one synced meanwhile, and says so', async () => {
      const connect = connectActor(db);
      const [oldest, middle, newest] = await twice(u(63), 3);
      let sfid = '';
      // Connect sends the oldest twin after the audit planned to delete it and the middle one.
      const onQuery = beforeFirstWrite(async () => {
        sfid = await connect.inserted('editor__c', 'editoruuid__c', u(63));
      });
      const result = await runRepair(config(), {
        ...base,
        entities: ['school'],
        only: ['duplicate'],
        onQuery,
      });
      expect(action(result, 'school', u(63))).toMatchObject({
        action: 'dedupe',
        status: 'done',
        deleteIds: [oldest, middle],
        detail: '1 row(s) gained an sfid since the audit and were kept',
      });
      const { rows } = await db.mirror(
        `SELECT id, sfid FROM salesforce.editor__c WHERE editoruuid__c = $1 ORDER BY id`,
        [u(63)],
      );
      expect(rows).toEqual([
        { id: oldest, sfid },
        { id: newest, sfid: null },
      ]);
      const journaled = await db.mirror(
        `SELECT mirror_id FROM sfsync.journal WHERE run_id = $1 AND action = 'delete'`,
        [result.runId],
      );
      expect(journaled.rows).toEqual([{ mirror_id: middle }]);
    });
  });

  it('records a bad row inside a batch and commits the rest', async () => {
    await db.mirror(
      `ALTER TABLE salesforce.editor__c
        ADD CONSTRAINT no_test_schools CHECK (name NOT LIKE 'Test%')`,
    );
    await db.source(
      `INSERT INTO schools (id, name, country_code)
        VALUES ($1, 'Test School', 'gb'), ($2, 'Fine School', 'gb')`,
      [u(40), u(41)],
    );
    const result = await runRepair(config(), { ...base, entities: ['school'], only: ['absent'] });
    expect(action(result, 'school', u(40))).toMatchObject({
      status: 'failed',
      detail: expect.stringMatching(
        /violates check constraint "no_test_schools" \[SQLSTATE 23514\]/,
      ),
    });
    expect(action(result, 'school', u(41))).toMatchObject({ status: 'done' });
    const { rows } = await db.mirror(
      `SELECT editoruuid__c FROM salesforce.editor__c WHERE editoruuid__c = ANY($1)`,
      [[u(40), u(41)]],
    );
    expect(rows.map((r) => r.editoruuid__c)).toEqual([u(41)]);
  });

  it('reads source rows READ ONLY: a trusted fragment that would write never does', async () => {
    // A fragment that keeps quiet where it cannot write (the audit's READ ONLY snapshot) and writes
    // wherever it can.
    await db.source(`CREATE TABLE fragment_writes (at timestamptz DEFAULT now())`);
    await db.source(`CREATE FUNCTION opportunist() RETURNS boolean LANGUAGE plpgsql VOLATILE AS $$
      BEGIN
        IF current_setting('transaction_read_only') = 'off' THEN
          INSERT INTO fragment_writes DEFAULT VALUES;
        END IF;
        RETURN true;
      END $$`);
    await db.source(
      `INSERT INTO schools (id, name, country_code) VALUES ($1, 'Read Only School', 'gb')`,
      [u(42)],
    );
    const raw = fixtureConfigObject();
    raw.entities[0].source.where = 'src.rejected_at IS NULL AND opportunist()';
    const result = await runRepair(configFrom(raw, db), {
      ...base,
      entities: ['school'],
      only: ['absent'],
    });
    expect(action(result, 'school', u(42))).toMatchObject({ action: 'insert', status: 'done' });
    const { rows } = await db.source(`SELECT count(*)::int AS n FROM fragment_writes`);
    expect(rows[0].n).toBe(0);
  });

  it('with todo notes, refuses to write (as a library call too) unless allowTodo', async () => {
    const raw = fixtureConfigObject();
    raw.entities[0].todo = [
      'lookup teacher__r__x points at contact: which column of the app holds it?',
    ];
    const unfinished = configFrom(raw, db);
    const before = await fingerprint(db);
    const promise = runRepair(unfinished, base);
    await expect(promise).rejects.toBeInstanceOf(UsageError);
    await expect(promise).rejects.toThrow(/^refusing to write: 1 todo note remains in cfg\.json/);
    expect(await fingerprint(db)).toEqual(before);
    // A dry run writes nothing and may plan from it.
    await expect(runRepair(unfinished, { ...base, dryRun: true })).resolves.toMatchObject({
      dryRun: true,
    });
    expect(
      (await runRepair(unfinished, { ...base, allowTodo: true })).actions.some(
        (a) => a.status === 'done',
      ),
    ).toBe(true);
  });

  it('lets one writing run at a time hold the mirror database', async () => {
    const lock = await acquireWriteLock(config().mirror);
    try {
      await expect(runRepair(config(), base)).rejects.toBeInstanceOf(LockError);
      // A dry run writes nothing and does not need the lock.
      await expect(runRepair(config(), { ...base, dryRun: true })).resolves.toMatchObject({
        dryRun: true,
      });
    } finally {
      await lock.release();
    }
  });

  it("refuses to write when the session's xmlbinary is hex", async () => {
    const database = new URL(db.mirrorUrl).pathname.slice(1);
    await db.mirror(`ALTER DATABASE ${database} SET xmlbinary = hex`);
    try {
      const before = await fingerprint(db);
      const promise = runRepair(config(), base);
      await expect(promise).rejects.toBeInstanceOf(DatabaseError);
      await expect(promise).rejects.toThrow(/get_xmlbinary\(\) is 'hex'/);
      expect(await fingerprint(db)).toEqual(before);
    } finally {
      await db.mirror(`ALTER DATABASE ${database} RESET xmlbinary`);
    }
  });
});

describe('--strategy recapture', () => {
  beforeEach(async () => {
    await db.reset();
    await buildAuditScenario(db);
  });

  it("re-queues a repairable FAILED insert with Connect's hc_capture_insert_from_row", async () => {
    const connect = connectActor(db);
    await db.source(`INSERT INTO roles (id, school_id, user_id, role) VALUES (30, $1, $2, 1)`, [
      u(1),
      u(101),
    ]);
    await db.mirror(
      `INSERT INTO salesforce.contact_editor_affiliation__c (affiliation_id__c,
        editor__r__editoruuid__c, contact__r__pi_accounts_unique_id__c, roletype__c)
        VALUES ('30', $1, $2, 'teacher')`,
      [u(1), u(101)],
    );
    await connect.failed(
      'contact_editor_affiliation__c',
      'affiliation_id__c',
      '30',
      'UNABLE_TO_LOCK_ROW:unable to obtain exclusive access to this record:--',
    );
    const {
      rows: [row],
    } = await db.mirror(
      `SELECT id FROM salesforce.contact_editor_affiliation__c WHERE affiliation_id__c = '30'`,
    );
    const result = await runRepair(config(), {
      ...base,
      entities: ['role'],
      only: ['failed'],
      strategy: 'recapture',
    });
    expect(action(result, 'role', '30')).toMatchObject({ action: 'recapture', status: 'done' });
    const log = await db.mirror(
      `SELECT action, state FROM salesforce._trigger_log
        WHERE table_name = 'contact_editor_affiliation__c' AND record_id = $1 ORDER BY id`,
      [row.id],
    );
    expect(log.rows.map((r) => `${r.action}:${r.state}`)).toEqual(['INSERT:FAILED', 'INSERT:NEW']);
    // The journal says which row was queued again and which trigger-log entry queued it.
    const journaled = await db.mirror(
      `SELECT j.action, j.mirror_id, j.before->>'affiliation_id__c' AS key,
              (j.after->>'trigger_log_id')::int AS log_id
         FROM sfsync.journal j WHERE j.run_id = $1 AND j.key = '30'`,
      [result.runId],
    );
    const queued = await db.mirror(
      `SELECT max(id)::int AS id FROM salesforce._trigger_log
        WHERE table_name = 'contact_editor_affiliation__c' AND record_id = $1`,
      [row.id],
    );
    expect(journaled.rows).toEqual([
      { action: 'recapture', mirror_id: row.id, key: '30', log_id: queued.rows[0].id },
    ]);
    const { rows: still } = await db.mirror(
      `SELECT id FROM salesforce.contact_editor_affiliation__c WHERE affiliation_id__c = '30'`,
    );
    expect(still).toEqual([{ id: row.id }]);
  });

  it('refuses clearly when the mirror database lacks the function', async () => {
    await db.mirror(
      `ALTER FUNCTION salesforce.hc_capture_insert_from_row(public.hstore, varchar, text[])
        RENAME TO hc_capture_insert_from_row_gone`,
    );
    try {
      await expect(runRepair(config(), { ...base, strategy: 'recapture' })).rejects.toThrow(
        /needs Heroku Connect's salesforce.hc_capture_insert_from_row\(\)/,
      );
    } finally {
      await db.mirror(
        `ALTER FUNCTION salesforce.hc_capture_insert_from_row_gone(public.hstore, varchar, text[])
          RENAME TO hc_capture_insert_from_row`,
      );
    }
  });
});
