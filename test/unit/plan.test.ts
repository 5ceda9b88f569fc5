import { describe, expect, it } from 'vitest';
import type { Mismatch } from '../../src/core/audit/types.js';
import {
  initialStatus,
  planMismatches,
  planRepair,
  WRITE_ACTIONS,
  type ActionKind,
  type ActionStatus,
} from '../../src/core/repair/plan.js';
import { entityAudit, mismatch } from '../support/audit-fixtures.js';

const row = (id: number, sfid: string | null = null) => ({
  id,
  sfid,
  lastop: sfid ? 'SYNCED' : 'FAILED',
  hcErr: null,
});
const audit = (mismatches: Mismatch[], readOnly = false) => entityAudit(mismatches, { readOnly });
const plan = (m: Mismatch, strategy: 'reinsert' | 'recapture' = 'reinsert') =>
  planRepair([audit([m])], { strategy })[0]!;

describe('planRepair', () => {
  it('inserts absent rows and re-inserts repairable FAILED ones (or re-captures them)', () => {
    expect(plan(mismatch({ class: 'absent' })).action).toBe('insert');
    const failed = mismatch({
      class: 'failed',
      code: 'FOREIGN_KEY_NOT_FOUND',
      repairable: true,
      mirror: row(4),
    });
    expect(plan(failed)).toMatchObject({ action: 'reinsert', mirrorId: 4 });
    expect(plan(failed, 'recapture')).toMatchObject({ action: 'recapture', mirrorId: 4 });
  });

  it('skips FAILED rows that are not repairable, or that have an sfid, with the hint', () => {
    expect(
      plan(
        mismatch({
          class: 'failed',
          code: 'DUPLICATE_VALUE',
          repairable: false,
          mirror: row(4),
          hint: 'check first',
        }),
      ),
    ).toMatchObject({
      action: 'skip',
      reason:
        'r — DUPLICATE_VALUE (data-fix): check first; re-sent once the source row changes, ' +
        'or with --retry DUPLICATE_VALUE',
    });
    expect(
      plan(
        mismatch({
          class: 'failed',
          code: 'UNABLE_TO_LOCK_ROW',
          repairable: true,
          mirror: row(4, 'a0Q000000000001AAA'),
        }),
      ).action,
    ).toBe('skip');
  });

  it('dedupes by keeping the row with the sfid, else the newest', () => {
    expect(
      plan(mismatch({ class: 'duplicate', rows: [row(3), row(5, 'a0Q000000000001AAA'), row(9)] })),
    ).toMatchObject({
      action: 'dedupe',
      mirrorId: 5,
      deleteIds: [3, 9],
    });
    expect(plan(mismatch({ class: 'duplicate', rows: [row(3), row(9), row(7)] }))).toMatchObject({
      action: 'dedupe',
      mirrorId: 9,
      deleteIds: [3, 7],
    });
  });

  it('deletes nothing for a duplicate whose rows are not listed', () => {
    for (const rows of [undefined, [], [row(3)]]) {
      const p = plan(mismatch({ class: 'duplicate', rows, reason: '2 mirror rows' }));
      expect(p).toMatchObject({
        action: 'skip',
        deleteIds: [],
        reason: '2 mirror rows: its rows are not listed, so none is deleted',
      });
    }
  });

  it('never touches duplicates when two rows have sfids', () => {
    const p = plan(
      mismatch({
        class: 'duplicate',
        rows: [row(3, 'a0Q000000000001AAA'), row(5, 'a0Q000000000002AAA')],
      }),
    );
    expect(p).toMatchObject({ action: 'skip', deleteIds: [] });
    expect(p.reason).toBe(
      '2 rows with this key have an sfid: duplicates in Salesforce too, resolve them there',
    );
  });

  it('updates only the drifted columns of a synced row', () => {
    const drift = mismatch({
      class: 'drift',
      mirror: row(2, 'a0Q000000000001AAA'),
      fields: [{ column: 'name', source: 'a', mirror: 'b' }],
    });
    expect(plan(drift)).toMatchObject({ action: 'update', columns: ['name'], mirrorId: 2 });
  });

  it('defers a child on its parent, and skips stuck and orphan rows', () => {
    const parent = { entity: 'school', key: 's1', state: 'unsynced' as const };
    expect(plan(mismatch({ class: 'missing_parent', parent }))).toMatchObject({
      action: 'defer',
      blockedBy: parent,
    });
    expect(plan(mismatch({ class: 'stuck', mirror: row(1) })).action).toBe('skip');
    const orphan = mismatch({ class: 'orphan', reason: 'no source row', mirror: row(1, 'a0Q1') });
    expect(plan(orphan).reason).toBe(
      "no source row: deleting mirror rows is not sfsync's call " +
        '(with an sfid it would delete the Salesforce record)',
    );
  });

  it('never repairs a source_duplicate: the app must say which row is right', () => {
    const planned = plan(
      mismatch({
        class: 'source_duplicate',
        sourceRows: 3,
        reason: '3 source rows carry this key',
        mirror: row(1),
      }),
    );
    expect(planned).toMatchObject({
      action: 'skip',
      reason: expect.stringMatching(/never repaired automatically; make source.key unique/),
    });
  });

  it('never plans anything for a read-only entity', () => {
    expect(
      planRepair([audit([mismatch({ class: 'absent' })], true)], { strategy: 'reinsert' }),
    ).toEqual([]);
  });

  it('narrows to --only classes; a backfill to inserts and deferrals of absent children', () => {
    const mismatches = [
      mismatch({ key: 'a', class: 'absent' }),
      mismatch({
        key: 'b',
        class: 'drift',
        mirror: row(2, 'a0Q000000000001AAA'),
        fields: [{ column: 'x', source: 1, mirror: 2 }],
      }),
      mismatch({
        key: 'c',
        class: 'missing_parent',
        parent: { entity: 'p', key: 'p1', state: 'absent' },
      }),
      mismatch({
        key: 'd',
        class: 'missing_parent',
        mirror: row(4),
        parent: { entity: 'p', key: 'p1', state: 'absent' },
      }),
    ];
    expect(
      planRepair([audit(mismatches)], { strategy: 'reinsert', only: ['drift'] }).map((a) => a.key),
    ).toEqual(['b']);
    expect(
      planRepair([audit(mismatches)], { strategy: 'reinsert', insertOnly: true }).map(
        (a) => `${a.key}:${a.action}`,
      ),
    ).toEqual(['a:insert', 'c:defer']);
  });

  it('explains each write with the facts it acts on', () => {
    const sfid = 'a0Q000000000001AAA';
    const failed = mismatch({
      class: 'failed',
      code: 'FOREIGN_KEY_NOT_FOUND',
      repairable: true,
      mirror: row(4),
    });
    const drift = mismatch({
      class: 'drift',
      mirror: row(2, sfid),
      fields: [
        { column: 'name', source: 'a', mirror: 'b' },
        { column: 'country__c', source: 'FR', mirror: 'DE' },
      ],
    });
    const cases: [Mismatch, 'reinsert' | 'recapture', string][] = [
      [mismatch({ class: 'absent' }), 'reinsert', 'no mirror row: insert it from the source row'],
      [
        failed,
        'reinsert',
        'FOREIGN_KEY_NOT_FOUND (retry-after-parent): ' +
          'delete the sfid-NULL FAILED row, insert it again',
      ],
      [
        failed,
        'recapture',
        'FOREIGN_KEY_NOT_FOUND (retry-after-parent): ' +
          'queue the row again through hc_capture_insert_from_row',
      ],
      [drift, 'reinsert', 'update name, country__c'],
    ];
    for (const [m, strategy, reason] of cases) expect(plan(m, strategy).reason).toBe(reason);
    expect(plan(drift).columns).toEqual(['name', 'country__c']);
  });

  it('skips a FAILED row without a hint with its reason and policy alone', () => {
    const failed = mismatch({
      class: 'failed',
      code: 'ENTITY_IS_DELETED',
      reason: 'entity is deleted',
      mirror: row(4),
    });
    expect(plan(failed)).toMatchObject({
      action: 'skip',
      reason:
        'entity is deleted — ENTITY_IS_DELETED (terminal): ' +
        'never re-sent, no write of it can succeed',
    });
  });

  it('never updates a drifted row with no sfid or no mirror row: nothing synced to correct', () => {
    const fields = [{ column: 'name', source: 'a', mirror: 'b' }];
    for (const mirror of [row(2), null]) {
      expect(plan(mismatch({ class: 'drift', mirror, fields }))).toMatchObject({
        action: 'skip',
        columns: [],
        reason: 'drift on a row without an sfid: nothing synced to correct',
      });
    }
  });

  it('says which parent a deferred child waits for, and when no wait will bring it', () => {
    const waits = [
      [{ entity: 'school', key: 's1', state: 'failed' as const }, 'parent school s1 is failed'],
      [{ entity: 'school', key: 's1', state: 'unsynced' as const }, 'parent school s1 is unsynced'],
      [{ entity: 'school', key: 's1', state: 'absent' as const }, 'parent school s1 is absent'],
    ] as const;
    for (const [parent, which] of waits) {
      expect(plan(mismatch({ class: 'missing_parent', parent }))).toMatchObject({
        action: 'defer',
        blockedBy: parent,
        reason: `${which}: waits until the parent has an sfid`,
      });
    }
    const noParent = { entity: 'school', key: null, state: 'absent' as const };
    expect(plan(mismatch({ class: 'missing_parent', parent: noParent }))).toMatchObject({
      action: 'defer',
      blockedBy: noParent,
      reason:
        'required parent school is NULL in the source: no sync will fix this; ' +
        'set it in the app (or mark the parent optional in the config)',
    });
    // A parent absent from a read-only mapping comes only from Salesforce; one that is only
    // unsynced there still arrives by waiting.
    const readOnly = { strategy: 'reinsert' as const, readOnly: new Set(['contact']) };
    const upstream = { entity: 'contact', key: 'c1', state: 'absent' as const };
    expect(
      planMismatches('role', [mismatch({ class: 'missing_parent', parent: upstream })], readOnly),
    ).toMatchObject([
      {
        action: 'defer',
        reason:
          'parent contact c1 is absent from a read-only mapping: no sync from this side will ' +
          'fix this; create it in Salesforce, then run again',
      },
    ]);
    const unsynced = { ...upstream, state: 'unsynced' as const };
    expect(
      planMismatches('role', [mismatch({ class: 'missing_parent', parent: unsynced })], readOnly),
    ).toMatchObject([
      { reason: 'parent contact c1 is unsynced: waits until the parent has an sfid' },
    ]);
  });

  it('skips a stuck row and says sfsync leaves pending rows to Connect', () => {
    expect(
      plan(mismatch({ class: 'stuck', reason: 'PENDING for 45 min', mirror: row(1) })),
    ).toMatchObject({
      action: 'skip',
      reason:
        'PENDING for 45 min: Connect has not sent it; check the connection and its trigger log, ' +
        'sfsync does not touch pending rows',
    });
  });

  it('names the kept row and every deleted row in a dedupe', () => {
    const sfid = 'a0Q000000000001AAA';
    const cases = [
      [[row(3), row(5, sfid), row(9)], 'keep row 5 (has the sfid), delete sfid-NULL rows 3, 9'],
      [[row(3), row(9), row(7)], 'keep row 9 (newest), delete sfid-NULL rows 3, 7'],
      [[row(9), row(3)], 'keep row 9 (newest), delete sfid-NULL row 3'],
      [[row(3, sfid), row(9)], 'keep row 3 (has the sfid), delete sfid-NULL row 9'],
    ] as const;
    for (const [rows, reason] of cases)
      expect(plan(mismatch({ class: 'duplicate', rows })).reason).toBe(reason);
  });

  it('leaves every other class out of a backfill, even without a mirror row', () => {
    const mismatches = [
      mismatch({ key: 'a', class: 'absent' }),
      mismatch({ key: 's', class: 'source_duplicate', sourceRows: 2 }),
      mismatch({ key: 'f', class: 'failed', repairable: true }),
    ];
    expect(
      planRepair([audit(mismatches)], { strategy: 'reinsert', insertOnly: true }).map((a) => a.key),
    ).toEqual(['a']);
  });
});

describe('WRITE_ACTIONS and initialStatus', () => {
  it('counts as writes exactly the actions that change the mirror; the rest start settled', () => {
    const cases: [ActionKind, boolean, ActionStatus][] = [
      ['insert', true, 'planned'],
      ['reinsert', true, 'planned'],
      ['recapture', true, 'planned'],
      ['dedupe', true, 'planned'],
      ['update', true, 'planned'],
      ['defer', false, 'deferred'],
      ['skip', false, 'skipped'],
    ];
    for (const [action, write, status] of cases) {
      expect(WRITE_ACTIONS.has(action), action).toBe(write);
      expect(initialStatus(action), action).toBe(status);
    }
  });
});
