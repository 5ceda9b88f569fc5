import { describe, expect, it } from 'vitest';
import type { PlannedAction } from '../../src/core/repair/plan.js';
import {
  decideInsert,
  isInsertAction,
  type InsertAction,
} from '../../src/core/repair/write-rule.js';

const action = (kind: PlannedAction['action'], mirrorId: number | null): PlannedAction => ({
  entity: 'role',
  key: 'k1',
  action: kind,
  class: kind === 'insert' ? 'absent' : 'failed',
  reason: '',
  code: null,
  mirrorId,
  deleteIds: [],
  columns: [],
  changes: [],
  blockedBy: null,
});
const insert = action('insert', null) as InsertAction;
const reinsert = action('reinsert', 7) as InsertAction;
const unsynced = (id: number) => ({ id, sfid: null });
const synced = (id: number) => ({ id, sfid: `a0X00000000000${id}AAA` });

describe('decideInsert', () => {
  it('inserts a key that still has no mirror row', () => {
    expect(decideInsert(insert, [])).toEqual({ write: true, deleteFirst: null });
  });

  it.each([
    ['an unsynced row', [unsynced(3)], 3],
    ['a synced row', [synced(4)], 4],
    ['several rows: names the first', [unsynced(5), synced(6)], 5],
  ])('never inserts a second row of a key that gained %s since the audit', (_, rows, id) => {
    expect(decideInsert(insert, rows)).toEqual({
      write: false,
      outcome: {
        status: 'skipped',
        detail: `a mirror row with this key appeared since the audit (id ${id})`,
      },
    });
  });

  it('re-inserts by deleting the FAILED row first, whether or not it is still there', () => {
    expect(decideInsert(reinsert, [unsynced(7)])).toEqual({ write: true, deleteFirst: 7 });
    // Gone since the audit: the delete finds nothing and the action ends as failedRowChanged.
    expect(decideInsert(reinsert, [])).toEqual({ write: true, deleteFirst: 7 });
    expect(decideInsert(reinsert, [unsynced(8), unsynced(7)])).toEqual({
      write: true,
      deleteFirst: 7,
    });
  });

  it.each([
    ['the FAILED row itself', [synced(7)], 7],
    ['another row of the key', [unsynced(7), synced(9)], 9],
  ])('never re-inserts a key when %s has an sfid: that is the record', (_, rows, id) => {
    expect(decideInsert(reinsert, rows)).toEqual({
      write: false,
      outcome: {
        status: 'skipped',
        detail: `mirror row ${id} with this key already has an sfid: nothing to re-insert`,
      },
    });
  });
});

describe('isInsertAction', () => {
  it.each([
    ['insert', true],
    ['reinsert', true],
    ['recapture', false],
    ['update', false],
    ['dedupe', false],
    ['defer', false],
    ['skip', false],
  ] as const)('%s: %s', (kind, expected) => {
    expect(isInsertAction(action(kind, 1))).toBe(expected);
  });
});
