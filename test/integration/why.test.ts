import { beforeAll, describe, expect, it } from 'vitest';
import type { AuditResult } from '../../src/core/audit/result.js';
import { isFine, type RecordStory } from '../../src/core/why/story.js';
import { runAudit } from '../../src/ops/audit/audit.js';
import { explainRecord } from '../../src/ops/why/why.js';
import { UsageError } from '../../src/errors.js';
import { fixtureConfig, repairOptions } from '../support/configs.js';
import { useFixtureDatabases } from '../support/databases.js';
import { buildAuditScenario, FK_SCHOOL, u } from '../support/editor-scenario.js';
import { runRepair } from '../support/repair.js';
import { connectActor } from '../support/connect-actor.js';

const db = useFixtureDatabases();
const STALE = 30 * 60_000;
const why = (entity: string, key: string): Promise<RecordStory> =>
  explainRecord(fixtureConfig(db), { entity, key, staleMs: STALE });

let audit: AuditResult;

beforeAll(async () => {
  await buildAuditScenario(db);
  audit = await runAudit(fixtureConfig(db), { staleMs: STALE });
});

describe('why: one record of the editor-api scenario', () => {
  it('tells role 1 FAILED on a missing foreign key: retry-after-parent, reinsert', async () => {
    const story = await why('role', '1');
    expect(story.source).toMatchObject({ count: 1, row: { key: '1' } });
    expect(story.source!.row.parents).toEqual({
      editor__r__editoruuid__c: u(1),
      contact__r__pi_accounts_unique_id__c: u(101),
    });
    expect(story.mirror).toHaveLength(1);
    expect(story.mirror[0]).toMatchObject({ sfid: null, lastop: 'FAILED', hcErr: FK_SCHOOL(u(1)) });
    expect(story.verdict).toMatchObject({
      class: 'failed',
      error: {
        code: 'FOREIGN_KEY_NOT_FOUND',
        policy: 'retry-after-parent',
        value: u(1),
        object: 'Editor__c',
      },
      nextStep: { action: 'reinsert' },
    });
    expect(story.verdict!.nextStep.reason).toMatch(/^FOREIGN_KEY_NOT_FOUND \(retry-after-parent\)/);
    // The trigger log: the client's INSERT, which Connect marked FAILED with Salesforce's text.
    expect(story.triggerLog).toMatchObject([
      {
        table: '_trigger_log',
        recordId: story.mirror[0]!.id,
        action: 'INSERT',
        state: 'FAILED',
        sfMessage: FK_SCHOOL(u(1)),
      },
    ]);
    expect(story.parents.map((p) => [p.entity, p.key, p.state, p.blocks])).toEqual([
      ['school', u(1), 'ready', false],
      ['contact', u(101), 'ready', false],
    ]);
    expect(story.journal).toEqual([]);
    expect(story.attempts).toBeNull();
    expect(isFine(story)).toBe(false);
  });

  it('shows a missing_parent role blocked by its FAILED school, and defers it', async () => {
    const story = await why('role', '8');
    expect(story.verdict).toMatchObject({
      class: 'missing_parent',
      parent: { entity: 'school', key: u(8), state: 'failed' },
      nextStep: { action: 'defer' },
    });
    const [school, contact] = story.parents;
    expect(school).toMatchObject({ entity: 'school', key: u(8), state: 'failed', blocks: true });
    expect(school!.sfid).toBeNull();
    expect(school!.lastop).toBe('FAILED');
    expect(contact).toMatchObject({
      entity: 'contact',
      key: u(101),
      state: 'ready',
      blocks: false,
    });
  });

  it('tells each blocking parent: unsynced, absent, absent from a read-only mapping', async () => {
    const unsynced = await why('role', '2');
    expect(unsynced.parents[0]).toMatchObject({ key: u(7), state: 'unsynced', blocks: true });
    const never = await why('role', '6');
    expect(never.mirror).toEqual([]);
    expect(never.parents[0]).toMatchObject({ key: u(2), state: 'absent', blocks: true });
    expect(never.verdict!.nextStep.reason).toBe(
      `parent school ${u(2)} is absent: waits until the parent has an sfid`,
    );
    const upstream = await why('role', '3');
    expect(upstream.parents[1]).toMatchObject({ entity: 'contact', key: u(109), state: 'absent' });
    expect(upstream.verdict!.nextStep.reason).toMatch(/absent from a read-only mapping/);
  });

  it('shows school u(8) failing validation: data-fix, skipped until the source moves', async () => {
    const story = await why('school', u(8));
    expect(story.verdict).toMatchObject({
      class: 'failed',
      error: {
        code: 'FIELD_CUSTOM_VALIDATION_EXCEPTION',
        policy: 'data-fix',
        fields: ['Town__c'],
      },
      nextStep: { action: 'skip' },
    });
    expect(story.verdict!.nextStep.reason).toContain(
      're-sent once the source row changes, or with --retry FIELD_CUSTOM_VALIDATION_EXCEPTION',
    );
    expect(story.parents).toEqual([]);
  });

  it('follows parents up to the roots: lesson, its class, the class school', async () => {
    const story = await why('lesson', u(302));
    expect(story.verdict).toMatchObject({
      class: 'missing_parent',
      parent: { entity: 'contact', key: u(109), state: 'absent' },
    });
    const [klass, teacher] = story.parents;
    expect(klass).toMatchObject({ entity: 'school_class', key: u(203), state: 'ready' });
    expect(klass!.parents).toMatchObject([
      { entity: 'school', key: u(1), state: 'ready', blocks: false, parents: [] },
    ]);
    // An optional parent that is named but absent still holds the insert back.
    expect(teacher).toMatchObject({ key: u(109), optional: true, state: 'absent', blocks: true });
  });

  it('classifies every key of the audit exactly as the audit does', async () => {
    const checked: string[] = [];
    for (const entity of audit.entities) {
      for (const m of entity.mismatches) {
        const story = await why(entity.name, m.key);
        expect({ key: m.key, class: story.verdict?.class, reason: story.verdict?.reason }).toEqual({
          key: m.key,
          class: m.class,
          reason: m.reason,
        });
        checked.push(`${entity.name} ${m.class}`);
      }
    }
    expect(checked).toHaveLength(audit.totals.mismatches);
    expect(new Set(checked.map((c) => c.split(' ')[1]))).toEqual(
      new Set(['absent', 'missing_parent', 'failed', 'stuck', 'drift', 'duplicate', 'orphan']),
    );
  });

  it('says ok and pending for keys the audit does not report, and exits fine', async () => {
    const ok = await why('school', u(1));
    expect(ok.verdict).toMatchObject({ class: 'ok', nextStep: { action: 'none' } });
    expect(isFine(ok)).toBe(true);
    const pending = await why('school', u(6));
    expect(pending.verdict!.class).toBe('pending');
    expect(pending.verdict!.reason).toMatch(/^pending: no sfid yet, last written 10m ago/);
    expect(isFine(pending)).toBe(true);
  });

  it('shows the twin rows of a duplicate and the row repair would keep', async () => {
    const story = await why('school_class', u(202));
    expect(story.mirror).toHaveLength(2);
    expect(story.verdict).toMatchObject({ class: 'duplicate', nextStep: { action: 'dedupe' } });
    expect(story.verdict!.nextStep.reason).toMatch(/^keep row \d+ \(has the sfid\)/);
  });

  it('tells an orphan from its mirror row alone, its parents from the mirror lookups', async () => {
    const story = await why('school', u(4));
    expect(story.source).toBeNull();
    expect(story.verdict!.class).toBe('orphan');
    await db.mirror(
      `INSERT INTO salesforce.contact_editor_affiliation__c
         (affiliation_id__c, editor__r__editoruuid__c, contact__r__pi_accounts_unique_id__c)
       VALUES ('77', $1, $2)`,
      [u(7), u(101)],
    );
    const orphan = await why('role', '77');
    expect(orphan.verdict).toMatchObject({ class: 'orphan', nextStep: { action: 'skip' } });
    expect(orphan.parents.map((p) => [p.entity, p.key, p.state])).toEqual([
      ['school', u(7), 'unsynced'],
      ['contact', u(101), 'ready'],
    ]);
    expect(orphan.triggerLog).toMatchObject([{ action: 'INSERT', state: 'NEW' }]);
    const role = await why('role', '4');
    expect(role.source).toBeNull();
    expect(role.mirror).toEqual([]);
    expect(isFine(role)).toBe(false);
  });

  it('reads a read-only record without classifying it', async () => {
    const story = await why('contact', u(101));
    expect(story).toMatchObject({ readOnly: true, source: null, verdict: null, parents: [] });
    expect(story.mirror[0]!.sfid).toMatch(/^003/);
    expect(story.mirror[0]!.systemmodstamp).toBeInstanceOf(Date);
    expect(isFine(story)).toBe(true);
  });

  it('finds nothing for a key on neither side, even one the key column cannot hold', async () => {
    for (const [entity, key] of [
      ['role', '999'],
      ['school', 'not-a-uuid'],
      ['role', 'abc'],
    ] as const) {
      const story = await why(entity, key);
      expect(story).toMatchObject({ source: null, mirror: [], verdict: null });
      expect(isFine(story)).toBe(false);
    }
  });

  it('refuses an unknown entity, naming the nearest, and an empty key', async () => {
    await expect(why('rol', '1')).rejects.toThrow(
      new UsageError('no entity rol in the config — did you mean "role"?'),
    );
    await expect(why('role', ' ')).rejects.toBeInstanceOf(UsageError);
  });

  it('lists what sfsync did to the record, from the journal, with the run', async () => {
    const repaired = await runRepair(fixtureConfig(db), repairOptions({ entities: ['role'] }));
    expect(repaired.actions.find((a) => a.key === '1')).toMatchObject({ action: 'reinsert' });
    const story = await why('role', '1');
    expect(story.journal.length).toBeGreaterThan(0);
    expect(story.journal.every((a) => a.command === 'repair' && a.runStatus === 'done')).toBe(true);
    expect(story.journal.map((a) => a.action)).toContain('delete');
    expect(story.journal.at(-1)!.mirrorId).toBe(story.mirror[0]!.id);
    // The re-inserted row: a new client INSERT in the log, the FAILED entry of the old row gone
    // with it (a deleted row id is not the new row's).
    expect(story.mirror[0]).toMatchObject({ sfid: null, lastop: 'PENDING' });
    expect(story.triggerLog!.at(-1)).toMatchObject({ action: 'INSERT', state: 'NEW' });
    expect(story.verdict!.class).toBe('pending');
    // The re-send is counted, and the backoff's first wait (1 h) runs from it.
    expect(story.attempts).toMatchObject({
      attempts: 1,
      maxAttempts: 5,
      lastCode: 'FOREIGN_KEY_NOT_FOUND',
      startsAgain: false,
      gaveUp: false,
    });
    const { lastAttemptAt, nextAttemptAt } = story.attempts!;
    expect(nextAttemptAt!.getTime() - lastAttemptAt.getTime()).toBe(3_600_000);
    // Once Salesforce has the record, the count stays but no re-send waits for it.
    await connectActor(db).inserted('contact_editor_affiliation__c', 'affiliation_id__c', '1');
    const landed = await why('role', '1');
    expect(landed.mirror[0]!.sfid).not.toBeNull();
    expect(landed.attempts).toMatchObject({ attempts: 1, gaveUp: false, nextAttemptAt: null });
  });

  it('reads the one log a mirror has, and says when it has none', async () => {
    await db.mirror('DROP TABLE salesforce._trigger_log_archive');
    const live = await why('school', u(8));
    expect(live.triggerLog).toMatchObject([{ table: '_trigger_log', state: 'FAILED' }]);
    expect(live.verdict!.error!.code).toBe('FIELD_CUSTOM_VALIDATION_EXCEPTION');
    // As the audit: without the whole log, the age of an unsynced row is unknown, so not stuck.
    const stuck = await why('school', u(7));
    expect(stuck.verdict!.class).toBe('pending');
    await db.mirror('DROP TABLE salesforce._trigger_log CASCADE');
    const none = await why('school', u(8));
    expect(none.triggerLog).toBeNull();
    expect(none.verdict!.class).toBe('failed');
  });
});
