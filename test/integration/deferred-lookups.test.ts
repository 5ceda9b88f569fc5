import { beforeEach, describe, expect, it } from 'vitest';
import { renderOrderJson } from '../../src/render/order.js';
import { runAudit } from '../../src/ops/audit/audit.js';
import { backfillHooks } from '../../src/ops/repair/backfill.js';
import { runRepair } from '../support/repair.js';
import { ConnectSimulator } from '../../src/sim/simulator.js';
import { configFrom, repairOptions } from '../support/configs.js';
import { fixtureConfigObject } from '../support/config-text.js';
import { connectActor } from '../support/connect-actor.js';
import { useFixtureDatabases } from '../support/databases.js';
import { u } from '../support/editor-scenario.js';

const db = useFixtureDatabases();

/**
 * The fixture with two real-world shapes added: a self-lookup (a lesson remixed
 * from another lesson) and a two-object cycle (a class features one of its
 * own lessons, and each lesson belongs to a class).
 */
function config() {
  const raw = fixtureConfigObject();
  const entity = (name: string) => raw.entities.find((e: { name: string }) => e.name === name);
  entity('lesson').parents.push({
    entity: 'lesson',
    column: 'remixed_from_id',
    lookup: 'remixed_from__r__lesson_uuid__c',
    optional: true,
  });
  entity('school_class').parents.push({
    entity: 'lesson',
    column: 'featured_lesson_id',
    lookup: 'featured_lesson__r__lesson_uuid__c',
    optional: true,
  });
  return configFrom(raw, db);
}

const lookups = async () =>
  (
    await db.mirror(`select l.lesson_uuid__c as key,
                            l.remixed_from__r__lesson_uuid__c as remixed_from,
                            l.sfid is not null as synced, l._hc_lastop as lastop
                       from salesforce.lesson__c l order by 1`)
  ).rows;

/**
 * Every lesson written and synced, deferred lookups included; then `parent` (SQL as Connect, $1 =
 * L1) changes L1, and L2 loses its lookup to L1.
 */
async function syncedThenParentLost(parent: string): Promise<void> {
  const sim = await ConnectSimulator.open(config(), config().mirror, {
    failRate: 0,
    seed: 1,
    latencyMs: 0,
    batchSize: 100,
  });
  try {
    for (let round = 0; round < 4; round++) {
      await runRepair(config(), repairOptions());
      await sim.drain();
    }
  } finally {
    await sim.close();
  }
  await db.asConnect(parent, [u(23)]);
  await db.asConnect(
    `UPDATE salesforce.lesson__c SET remixed_from__r__lesson_uuid__c = NULL
      WHERE lesson_uuid__c = $1`,
    [u(22)],
  );
}

beforeEach(async () => {
  await db.reset();
  await db.source('ALTER TABLE lessons ADD COLUMN remixed_from_id uuid REFERENCES lessons (id)');
  await db.source('ALTER TABLE school_classes ADD COLUMN featured_lesson_id uuid');
  await db.mirror(
    'ALTER TABLE salesforce.lesson__c ADD COLUMN remixed_from__r__lesson_uuid__c varchar(255)',
  );
  await db.mirror(
    `ALTER TABLE salesforce.classroom__c
      ADD COLUMN featured_lesson__r__lesson_uuid__c varchar(255)`,
  );
  await connectActor(db).fromSalesforce('contact', {
    pi_accounts_unique_id__c: u(101),
    lastname: 'Teacher',
  });
  await db.source(`INSERT INTO schools (id, name, country_code) VALUES ($1, 'Hill School', 'gb')`, [
    u(1),
  ]);
  await db.source(
    `INSERT INTO school_classes (id, school_id, name, featured_lesson_id)
      VALUES ($1, $2, 'Year 7', $3)`,
    [u(11), u(1), u(22)],
  );
  // L3 remixes L2, which remixes L1: the parent comes later in key order than its child, on
  // purpose.
  await db.source(
    `INSERT INTO lessons (id, school_class_id, user_id, name, remixed_from_id)
      VALUES ($1, $4, $5, 'Original', NULL), ($2, $4, $5, 'Remix', $1),
             ($3, $4, $5, 'Remix of a remix', $2)`,
    [u(23), u(22), u(21), u(11), u(101)],
  );
});

describe('self-lookups and cycles: written in two phases', () => {
  it('shows the phases in the canonical order', () => {
    const doc = JSON.parse(renderOrderJson(config()));
    expect(doc.order).toEqual([
      'school',
      'contact',
      'role',
      'school_class',
      'class_teacher',
      'lesson',
    ]);
    expect(doc.deferred).toEqual([
      { entity: 'school_class', lookup: 'featured_lesson__r__lesson_uuid__c', parent: 'lesson' },
      { entity: 'lesson', lookup: 'remixed_from__r__lesson_uuid__c', parent: 'lesson' },
    ]);
  });

  it('repair --wait, Connect running: every row, then the lookups, all accepted', async () => {
    const sim = await ConnectSimulator.open(config(), config().mirror, {
      failRate: 0,
      seed: 1,
      latencyMs: 0,
      batchSize: 100,
    });
    const stop = new AbortController();
    const connect = sim.watch(stop.signal, 100);
    try {
      const result = await runRepair(config(), repairOptions({ waitMs: 20_000 }));
      const actions = result.actions.map((a) => `${a.entity} ${a.key} ${a.action} ${a.status}`);
      expect(actions).toEqual(
        expect.arrayContaining([
          `school_class ${u(11)} insert done`,
          `school_class ${u(11)} update done`,
          `lesson ${u(22)} insert done`,
          `lesson ${u(22)} update done`,
          `lesson ${u(21)} update done`,
        ]),
      );
      expect(result.actions.filter((a) => a.status !== 'done')).toEqual([]);
    } finally {
      stop.abort();
      await connect.catch(() => undefined);
      await sim.drain();
      await sim.close();
    }
    expect(await lookups()).toEqual([
      { key: u(21), remixed_from: u(22), synced: true, lastop: 'SYNCED' },
      { key: u(22), remixed_from: u(23), synced: true, lastop: 'SYNCED' },
      { key: u(23), remixed_from: null, synced: true, lastop: 'SYNCED' },
    ]);
    const { rows: org } = await db.mirror(
      `select count(*)::int as n from sfsync_sim.records
        where object = 'Lesson__c' and fields ->> 'remixed_from__r__lesson_uuid__c' is not null`,
    );
    expect(org[0].n).toBe(2);
    const after = await runAudit(config(), { staleMs: 30 * 60_000 });
    expect(after.totals.mismatches).toBe(0);
  });

  it('backfill --wait writes them the same way; a second backfill has nothing to do', async () => {
    const sim = await ConnectSimulator.open(config(), config().mirror, {
      failRate: 0,
      seed: 1,
      latencyMs: 0,
      batchSize: 100,
    });
    const stop = new AbortController();
    const connect = sim.watch(stop.signal, 100);
    const backfill = () =>
      runRepair(config(), {
        ...repairOptions({ waitMs: 20_000 }),
        command: 'backfill',
        backfill: backfillHooks(false),
      });
    try {
      const result = await backfill();
      expect(result.actions.filter((a) => a.status !== 'done')).toEqual([]);
      expect(
        result.actions
          .filter((a) => a.action === 'update')
          .map((a) => `${a.entity} ${a.key}`)
          .sort(),
      ).toEqual([`lesson ${u(21)}`, `lesson ${u(22)}`, `school_class ${u(11)}`].sort());
      expect((await backfill()).actions).toEqual([]);
    } finally {
      stop.abort();
      await connect.catch(() => undefined);
      await sim.drain();
      await sim.close();
    }
    expect((await lookups()).map((r) => r.remixed_from)).toEqual([u(22), u(23), null]);
  });

  it('without --wait, run 1 inserts without deferred lookups and run 2 sets them', async () => {
    const sim = await ConnectSimulator.open(config(), config().mirror, {
      failRate: 0,
      seed: 1,
      latencyMs: 0,
      batchSize: 100,
    });
    try {
      // Each run writes what it can; Connect syncs in between. Record the lessons' lookups after
      // each round.
      const seen: (string | null)[][] = [];
      for (let round = 0; round < 5; round++) {
        const run = await runRepair(config(), repairOptions());
        await sim.drain();
        seen.push((await lookups()).map((r) => r.remixed_from));
        if (run.actions.length === 0) break;
      }
      // Phase 1: the lessons arrive without their remix lookups; phase 2, a later run: the lookups
      // are set.
      expect(seen).toContainEqual([null, null, null]);
      expect(seen.at(-1)).toEqual([u(22), u(23), null]);
    } finally {
      await sim.close();
    }
    expect((await runAudit(config(), { staleMs: 30 * 60_000 })).totals.mismatches).toBe(0);
  });

  it('a row whose deferred lookup awaits a parent with no sfid is pending, not drift', async () => {
    // The original lesson's Salesforce record goes away upstream: its mirror row loses its sfid.
    await syncedThenParentLost(
      `UPDATE salesforce.lesson__c SET sfid = NULL, _hc_lastop = 'PENDING'
        WHERE lesson_uuid__c = $1`,
    );
    const result = await runAudit(config(), { staleMs: 30 * 60_000 });
    const lesson = result.entities.find((e) => e.name === 'lesson')!;
    expect([...lesson.mismatches].map((m) => `${m.key} ${m.class}`)).not.toContain(
      `${u(22)} drift`,
    );
    expect(lesson.counts.pending).toBeGreaterThanOrEqual(1);
  });
});

describe('a deferred lookup whose parent will not sync by waiting', () => {
  const lessonAudit = async (staleMs = 30 * 60_000) =>
    (await runAudit(config(), { staleMs })).entities.find((e) => e.name === 'lesson')!;
  const remix = (audit: Awaited<ReturnType<typeof lessonAudit>>) =>
    [...audit.mismatches].find((m) => m.key === u(22));
  const LOCK_ERROR = 'UNABLE_TO_LOCK_ROW:unable to obtain exclusive access to this record:--';

  it('FAILED parent: missing_parent, not pending; repair re-inserts it, then lookup', async () => {
    // L1's insert failed in Salesforce (a lock error): the org never had it, so L2's remix lookup
    // could not be set there either.
    await syncedThenParentLost(
      `UPDATE salesforce.lesson__c SET sfid = NULL, _hc_lastop = 'FAILED', _hc_err = '${LOCK_ERROR}'
        WHERE lesson_uuid__c = $1`,
    );
    await db.mirror(
      `DELETE FROM sfsync_sim.records WHERE object = 'Lesson__c' AND external_id = $1`,
      [u(23)],
    );
    await db.mirror(
      `UPDATE sfsync_sim.records SET fields = fields - 'remixed_from__r__lesson_uuid__c'
        WHERE object = 'Lesson__c' AND external_id = $1`,
      [u(22)],
    );
    const before = await lessonAudit();
    expect(remix(before)).toMatchObject({
      class: 'missing_parent',
      parent: { entity: 'lesson', key: u(23), state: 'failed' },
      fields: [],
    });
    expect(remix(before)!.reason).toMatch(
      new RegExp(
        '^deferred lookup remixed_from__r__lesson_uuid__c cannot be set: ' +
          'parent lesson .* FAILED to reach Salesforce',
      ),
    );
    expect(before.counts.pending).toBe(0);

    const sim = await ConnectSimulator.open(config(), config().mirror, {
      failRate: 0,
      seed: 1,
      latencyMs: 0,
      batchSize: 100,
    });
    try {
      const first = await runRepair(config(), repairOptions());
      // The lookup is never pointed at a parent without an sfid: the child waits, the parent is
      // written again.
      expect(
        first.actions
          .filter((a) => a.entity === 'lesson')
          .map((a) => `${a.key} ${a.action} ${a.status}`),
      ).toEqual([`${u(22)} defer deferred`, `${u(23)} reinsert done`]);
      expect(first.actions.find((a) => a.key === u(22))!.blockedBy).toEqual({
        entity: 'lesson',
        key: u(23),
        state: 'failed',
      });
      await sim.drain();
      const second = await runRepair(config(), repairOptions());
      expect(second.actions.map((a) => `${a.entity} ${a.key} ${a.action} ${a.status}`)).toEqual([
        `lesson ${u(22)} update done`,
      ]);
      await sim.drain();
    } finally {
      await sim.close();
    }
    expect((await lookups()).map((r) => r.remixed_from)).toEqual([u(22), u(23), null]);
    expect((await runAudit(config(), { staleMs: 30 * 60_000 })).totals.mismatches).toBe(0);
  });

  it("missing_parent once the parent's newest log entry passes --stale, else pending", async () => {
    await syncedThenParentLost(
      `UPDATE salesforce.lesson__c SET sfid = NULL, _hc_lastop = 'PENDING'
        WHERE lesson_uuid__c = $1`,
    );
    // The parent's last write, two hours ago; the child's own rows and log stay as they are.
    for (const log of ['_trigger_log', '_trigger_log_archive']) {
      await db.asConnect(
        `UPDATE salesforce.${log} SET created_at = now() - interval '2 hours'
          WHERE table_name = 'lesson__c'
            AND record_id = (SELECT id FROM salesforce.lesson__c WHERE lesson_uuid__c = $1)`,
        [u(23)],
      );
    }
    const stale = await lessonAudit(30 * 60_000);
    expect(remix(stale)).toMatchObject({
      class: 'missing_parent',
      parent: { entity: 'lesson', key: u(23), state: 'unsynced' },
    });
    expect(remix(stale)!.reason).toMatch(
      /has had no sfid for 2h since its last write \(threshold 30m\)$/,
    );
    expect([...stale.mismatches].find((m) => m.key === u(23))!.class).toBe('stuck');
    expect(stale.counts.pending).toBe(0);

    const patient = await lessonAudit(3 * 3_600_000);
    expect(remix(patient)).toBeUndefined();
    expect(patient.counts.pending).toBe(2);
  });

  it('is missing_parent on a parent that is not in the mirror at all', async () => {
    await syncedThenParentLost(`DELETE FROM salesforce.lesson__c WHERE lesson_uuid__c = $1`);
    const audit = await lessonAudit();
    expect(remix(audit)).toMatchObject({
      class: 'missing_parent',
      parent: { entity: 'lesson', key: u(23), state: 'absent' },
    });
    expect([...audit.mismatches].find((m) => m.key === u(23))!.class).toBe('absent');
    expect(audit.counts.pending).toBe(0);
  });
});
