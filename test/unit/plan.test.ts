import { describe, expect, it } from 'vitest';
import type { Mismatch } from '../../src/core/audit-types.js';
import { planRepair } from '../../src/core/plan.js';
import { entityAudit, mismatch } from '../support/audit-fixtures.js';

const row = (id: number, sfid: string | null = null) => ({ id, sfid, lastop: sfid ? 'SYNCED' : 'FAILED', hcErr: null });
const audit = (mismatches: Mismatch[], readOnly = false) => entityAudit(mismatches, { readOnly });
const plan = (m: Mismatch, strategy: 'reinsert' | 'recapture' = 'reinsert') => planRepair([audit([m])], { strategy })[0]!;

describe('planRepair', () => {
  it('inserts absent rows and re-inserts repairable FAILED ones (or re-captures them)', () => {
    expect(plan(mismatch({ class: 'absent' })).action).toBe('insert');
    const failed = mismatch({ class: 'failed', code: 'FOREIGN_KEY_NOT_FOUND', repairable: true, mirror: row(4) });
    expect(plan(failed)).toMatchObject({ action: 'reinsert', mirrorId: 4 });
    expect(plan(failed, 'recapture')).toMatchObject({ action: 'recapture', mirrorId: 4 });
  });

  it('skips FAILED rows that are not repairable, or that have an sfid, with the hint', () => {
    expect(plan(mismatch({ class: 'failed', code: 'DUPLICATE_VALUE', repairable: false, mirror: row(4), hint: 'check first' }))).toMatchObject({
      action: 'skip',
      reason: 'r — check first',
    });
    expect(plan(mismatch({ class: 'failed', code: 'UNABLE_TO_LOCK_ROW', repairable: true, mirror: row(4, 'a0Q000000000001AAA') })).action).toBe('skip');
  });

  it('dedupes by keeping the row with the sfid, else the newest', () => {
    expect(plan(mismatch({ class: 'duplicate', rows: [row(3), row(5, 'a0Q000000000001AAA'), row(9)] }))).toMatchObject({
      action: 'dedupe',
      mirrorId: 5,
      deleteIds: [3, 9],
    });
    expect(plan(mismatch({ class: 'duplicate', rows: [row(3), row(9), row(7)] }))).toMatchObject({ action: 'dedupe', mirrorId: 9, deleteIds: [3, 7] });
  });

  it('never touches duplicates when two rows have sfids', () => {
    const p = plan(mismatch({ class: 'duplicate', rows: [row(3, 'a0Q000000000001AAA'), row(5, 'a0Q000000000002AAA')] }));
    expect(p).toMatchObject({ action: 'skip', deleteIds: [] });
    expect(p.reason).toMatch(/2 rows with this key have an sfid/);
  });

  it('updates only the drifted columns of a synced row', () => {
    const drift = mismatch({ class: 'drift', mirror: row(2, 'a0Q000000000001AAA'), fields: [{ column: 'name', source: 'a', mirror: 'b' }] });
    expect(plan(drift)).toMatchObject({ action: 'update', columns: ['name'], mirrorId: 2 });
  });

  it('defers a child on its parent, and skips stuck and orphan rows', () => {
    const parent = { entity: 'school', key: 's1', state: 'unsynced' as const };
    expect(plan(mismatch({ class: 'missing_parent', parent }))).toMatchObject({ action: 'defer', blockedBy: parent });
    expect(plan(mismatch({ class: 'stuck', mirror: row(1) })).action).toBe('skip');
    expect(plan(mismatch({ class: 'orphan', mirror: row(1, 'a0Q000000000001AAA') })).reason).toMatch(/would delete the Salesforce record/);
  });

  it('never repairs a source_duplicate: the app must say which row is right', () => {
    const planned = plan(mismatch({ class: 'source_duplicate', sourceRows: 3, reason: '3 source rows carry this key', mirror: row(1) }));
    expect(planned).toMatchObject({ action: 'skip', reason: expect.stringMatching(/never repaired automatically; make source.key unique/) });
  });

  it('never plans anything for a read-only entity', () => {
    expect(planRepair([audit([mismatch({ class: 'absent' })], true)], { strategy: 'reinsert' })).toEqual([]);
  });

  it('narrows to --only classes, and a backfill to inserts and the deferrals of absent children', () => {
    const mismatches = [
      mismatch({ key: 'a', class: 'absent' }),
      mismatch({ key: 'b', class: 'drift', mirror: row(2, 'a0Q000000000001AAA'), fields: [{ column: 'x', source: 1, mirror: 2 }] }),
      mismatch({ key: 'c', class: 'missing_parent', parent: { entity: 'p', key: 'p1', state: 'absent' } }),
      mismatch({ key: 'd', class: 'missing_parent', mirror: row(4), parent: { entity: 'p', key: 'p1', state: 'absent' } }),
    ];
    expect(planRepair([audit(mismatches)], { strategy: 'reinsert', only: ['drift'] }).map((a) => a.key)).toEqual(['b']);
    expect(planRepair([audit(mismatches)], { strategy: 'reinsert', insertOnly: true }).map((a) => `${a.key}:${a.action}`)).toEqual(['a:insert', 'c:defer']);
  });
});
