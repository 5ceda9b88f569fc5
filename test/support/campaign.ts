import { randomBytes } from 'node:crypto';
import { inject } from 'vitest';
import { createDatabases, withDatabase } from '../../src/db/server/create-databases.js';
import { connectActor } from './connect-actor.js';
import { openDatabases } from './databases.js';
import { buildAuditScenario, FK_SCHOOL, u } from './editor-scenario.js';
import { adminQuery, advisoryLocksHeld } from './sessions.js';

/**
 * The fault-injection campaign's world: the audit scenario (every class) plus
 * enough rows that a repair or backfill runs many small batches, frozen into
 * template databases so each trial starts from exactly the same state.
 */
/** Each mirror table of the fixtures and its external ID column. */
export const MIRROR_KEYS: Readonly<Record<string, string>> = {
  editor__c: 'editoruuid__c',
  contact: 'pi_accounts_unique_id__c',
  contact_editor_affiliation__c: 'affiliation_id__c',
  classroom__c: 'classroomuuid__c',
  contact_classroom_affiliation__c: 'contactclassroomaffiliationuuid__c',
  lesson__c: 'lesson_uuid__c',
};
export const MIRROR_TABLES = Object.keys(MIRROR_KEYS);

export interface TrialDatabases {
  readonly sourceUrl: string;
  readonly mirrorUrl: string;
  drop(): Promise<void>;
}

/** Builds the campaign scenario once into two template databases; returns their names. */
export async function campaignTemplates(): Promise<{ source: string; mirror: string }> {
  const admin = inject('pgAdminUrl');
  const fixtures = inject('fixtureTemplates');
  const suffix = randomBytes(4).toString('hex');
  const names = {
    source: `sfsync_campaign_source_${suffix}`,
    mirror: `sfsync_campaign_mirror_${suffix}`,
  };
  await createDatabases(admin, [names.source], fixtures.source);
  await createDatabases(admin, [names.mirror], fixtures.mirror);
  const db = await openDatabases(
    withDatabase(admin, names.source),
    withDatabase(admin, names.mirror),
  );
  try {
    await buildAuditScenario(db);
    const connect = connectActor(db);
    // Absent schools (inserts), drifted ones (updates), and children that FAILED before a parent
    // that is now synced (re-inserts).
    for (let i = 500; i < 530; i++)
      await db.source(`INSERT INTO schools (id, name, country_code) VALUES ($1, $2, 'gb')`, [
        u(i),
        `Campaign School ${i}`,
      ]);
    for (let i = 530; i < 540; i++) {
      await db.source(`INSERT INTO schools (id, name, country_code) VALUES ($1, $2, 'gb')`, [
        u(i),
        `Renamed School ${i}`,
      ]);
      await db.mirror(
        `INSERT INTO salesforce.editor__c
          (editoruuid__c, name, country__c, editortype__c, verified__c)
          VALUES ($1, $2, 'GB', 'for_education', false)`,
        [u(i), `Old Name ${i}`],
      );
      await connect.inserted('editor__c', 'editoruuid__c', u(i));
    }
    for (let id = 100; id < 120; id++) {
      await db.source(`INSERT INTO roles (id, school_id, user_id, role) VALUES ($1, $2, $3, 1)`, [
        id,
        u(1),
        u(101),
      ]);
      await db.mirror(
        `INSERT INTO salesforce.contact_editor_affiliation__c (affiliation_id__c,
           editor__r__editoruuid__c, contact__r__pi_accounts_unique_id__c, roletype__c)
         VALUES ($1, $2, $3, 'teacher')`,
        [String(id), u(1), u(101)],
      );
      await connect.failed(
        'contact_editor_affiliation__c',
        'affiliation_id__c',
        String(id),
        FK_SCHOOL(u(1)),
      );
    }
    for (let i = 600; i < 610; i++)
      await db.source(`INSERT INTO school_classes (id, school_id, name) VALUES ($1, $2, 'Class')`, [
        u(i),
        u(1),
      ]);
  } finally {
    await db.close();
  }
  return names;
}

/**
 * The default_transaction_isolation a trial's mirror database may have (a copy does not inherit
 * ALTER DATABASE … SET).
 */
export type Isolation = 'read committed' | 'repeatable read' | 'serializable';

/** Fresh copies of the templates for one trial, the mirror defaulting to `isolation`. */
export async function trialDatabases(
  templates: { source: string; mirror: string },
  isolation: Isolation = 'read committed',
): Promise<TrialDatabases> {
  const admin = inject('pgAdminUrl');
  const suffix = randomBytes(4).toString('hex');
  const names = [`sfsync_trial_source_${suffix}`, `sfsync_trial_mirror_${suffix}`] as const;
  await createDatabases(admin, [names[0]], templates.source);
  await createDatabases(admin, [names[1]], templates.mirror);
  await adminQuery(
    admin,
    `ALTER DATABASE ${names[1]} SET default_transaction_isolation = '${isolation}'`,
  );
  return {
    sourceUrl: withDatabase(admin, names[0]),
    mirrorUrl: withDatabase(admin, names[1]),
    drop: async () => {
      for (const name of names)
        await adminQuery(admin, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    },
  };
}

export async function dropTemplates(templates: { source: string; mirror: string }): Promise<void> {
  for (const name of Object.values(templates))
    await adminQuery(inject('pgAdminUrl'), `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
}

export interface MirrorSnapshot {
  /** table → id → the row as JSON. */
  readonly rows: ReadonlyMap<string, ReadonlyMap<number, Record<string, unknown>>>;
}

export async function snapshot(mirrorUrl: string): Promise<MirrorSnapshot> {
  const rows = new Map<string, Map<number, Record<string, unknown>>>();
  for (const table of MIRROR_TABLES) {
    const { rows: found } = await adminQuery(
      mirrorUrl,
      `SELECT id, to_jsonb(t.*) AS row FROM salesforce.${table} t`,
    );
    rows.set(table, new Map(found.map((r) => [r.id as number, r.row as Record<string, unknown>])));
  }
  return { rows };
}

/**
 * What a run should converge to, independent of ids and timing: per table,
 * the sorted list of rows without their serial id. Connect has not run, so
 * sfid and _hc_lastop come only from the starting state and sfsync's writes.
 */
export async function logicalState(mirrorUrl: string): Promise<string[]> {
  const state: string[] = [];
  for (const table of MIRROR_TABLES) {
    const { rows } = await adminQuery(
      mirrorUrl,
      `SELECT (to_jsonb(t.*) - 'id' - 'systemmodstamp')::text AS row
         FROM salesforce.${table} t ORDER BY 1`,
    );
    state.push(...rows.map((r) => `${table} ${r.row as string}`));
  }
  return state;
}

interface JournalEntry {
  run_id: string;
  action: string;
  mirror_table: string;
  mirror_id: number | null;
  before: Record<string, unknown> | null;
}

/**
 * The safety invariants after an interrupted run, compared with the state
 * before it; returns the problems found (none is the only good answer):
 * no row with an sfid deleted or changed except by a journaled update, every
 * row that disappeared journaled in full, no key gained a second row, every
 * journaled insert present or journaled as deleted later, no run left
 * 'running' while its lock is free, and no lock left behind.
 */
export async function safetyViolations(
  before: MirrorSnapshot,
  mirrorUrl: string,
  options: { abandoned?: boolean } = {},
): Promise<string[]> {
  const after = await snapshot(mirrorUrl);
  const problems: string[] = [];
  const { rows: journalRows } = await adminQuery(
    mirrorUrl,
    `SELECT j.run_id, j.action, j.mirror_table, j.mirror_id, j.before
       FROM sfsync.journal j ORDER BY j.id`,
  ).catch(() => ({ rows: [] as JournalEntry[] }));
  const journal = journalRows as JournalEntry[];
  const deleted = new Map(
    journal
      .filter((e) => e.action === 'delete')
      .map((e) => [`${e.mirror_table}:${e.mirror_id}`, e]),
  );
  const updated = new Set(
    journal.filter((e) => e.action === 'update').map((e) => `${e.mirror_table}:${e.mirror_id}`),
  );

  for (const [table, rows] of before.rows) {
    const now = after.rows.get(table)!;
    for (const [id, row] of rows) {
      const current = now.get(id);
      const where = `${table}:${id}`;
      if (row.sfid !== null) {
        if (!current) problems.push(`${where}: a row with sfid ${String(row.sfid)} was deleted`);
        else if (current.sfid !== row.sfid) problems.push(`${where}: its sfid changed`);
        else if (!updated.has(where) && JSON.stringify(current) !== JSON.stringify(row))
          problems.push(`${where}: a synced row changed without a journaled update`);
      } else if (!current) {
        const entry = deleted.get(where);
        if (!entry) problems.push(`${where}: an sfid-NULL row disappeared without a journal entry`);
        else if (JSON.stringify(entry.before) !== JSON.stringify(row))
          problems.push(`${where}: the journal does not hold the deleted row in full`);
      }
    }
    const keyColumn = MIRROR_KEYS[table]!;
    const count = (map: ReadonlyMap<number, Record<string, unknown>>) => {
      const counts = new Map<unknown, number>();
      for (const row of map.values())
        counts.set(row[keyColumn], (counts.get(row[keyColumn]) ?? 0) + 1);
      return counts;
    };
    const was = count(rows);
    for (const [key, n] of count(now))
      if (n > 1 && n > (was.get(key) ?? 0))
        problems.push(`${table}: key ${String(key)} now has ${n} rows`);
  }
  for (const entry of journal.filter((e) => e.action === 'insert')) {
    const where = `${entry.mirror_table}:${entry.mirror_id}`;
    if (
      !after.rows.get(entry.mirror_table)?.has(entry.mirror_id!) &&
      !journal.some((e) => e.action === 'delete' && `${e.mirror_table}:${e.mirror_id}` === where)
    ) {
      problems.push(`${where}: journaled as inserted but neither present nor journaled as deleted`);
    }
  }
  const { rows: running } = await adminQuery(
    mirrorUrl,
    `SELECT count(*)::int AS n FROM sfsync.runs WHERE status = 'running'`,
  ).catch(() => ({
    rows: [{ n: 0 }],
  }));
  if (running[0].n > 0 && !options.abandoned)
    problems.push(`${running[0].n} run(s) left 'running' by a process that did not die`);
  if ((await advisoryLocksHeld(mirrorUrl)) > 0) problems.push('an advisory lock is still held');
  return problems;
}
