import { describe, expect, it } from 'vitest';
import type { ActionKind, PlannedAction } from '../../src/core/repair/plan.js';
import { WriteBudget } from '../../src/core/repair/write-budget.js';

function action(entity: string, key: number, kind: ActionKind = 'insert'): PlannedAction {
  return {
    entity,
    key: String(key),
    action: kind,
    class: 'absent',
    reason: 'no mirror row: insert it from the source row',
    code: null,
    mirrorId: null,
    deleteIds: [],
    columns: [],
    changes: [],
    blockedBy: null,
  };
}
const keys = (actions: readonly PlannedAction[]) => actions.map((a) => `${a.entity}:${a.key}`);

describe('the write caps of a run', () => {
  it('allows the run cap of writes in plan order, over batches and entities, then defers', () => {
    const budget = new WriteBudget({ run: 3, perEntity: new Map() });
    const first = budget.split([action('school', 1), action('school', 2)]);
    expect(keys(first.allowed)).toEqual(['school:1', 'school:2']);
    const second = budget.split([action('role', 1), action('role', 2), action('role', 3)]);
    expect(keys(second.allowed)).toEqual(['role:1']);
    expect(keys(second.deferred)).toEqual(['role:2', 'role:3']);
    expect(second.deferred[0]).toMatchObject({
      action: 'insert',
      status: 'deferred',
      detail: null,
      reason:
        'no mirror row: insert it from the source row; ' +
        "left for the next run: the run's write cap of 3 is reached",
    });
  });

  it('caps an entity on its own, leaving the others their share of the run cap', () => {
    const budget = new WriteBudget({ run: 4, perEntity: new Map([['school', 1]]) });
    const school = budget.split([action('school', 1), action('school', 2)]);
    expect(keys(school.allowed)).toEqual(['school:1']);
    expect(school.deferred[0]!.reason).toMatch(/school's write cap of 1 \(maxWrites\) is reached$/);
    const role = budget.split([1, 2, 3, 4].map((k) => action('role', k)));
    expect(keys(role.allowed)).toEqual(['role:1', 'role:2', 'role:3']);
    expect(keys(role.deferred)).toEqual(['role:4']);
  });

  it('never counts or defers what does not write', () => {
    const budget = new WriteBudget({ run: 1, perEntity: new Map() });
    const batch = budget.split([
      action('role', 1, 'defer'),
      action('role', 2, 'skip'),
      action('role', 3, 'update'),
      action('role', 4, 'skip'),
      action('role', 5, 'reinsert'),
    ]);
    expect(keys(batch.allowed)).toEqual(['role:1', 'role:2', 'role:3', 'role:4']);
    expect(keys(batch.deferred)).toEqual(['role:5']);
  });

  it('without caps allows every write', () => {
    const budget = new WriteBudget({ run: null, perEntity: new Map() });
    const many = Array.from({ length: 10_000 }, (_, k) => action('lesson', k));
    expect(budget.split(many).allowed).toHaveLength(10_000);
    expect(budget.admit(action('lesson', 10_001))).toBeNull();
  });
});
