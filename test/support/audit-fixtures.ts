import type { EntityAudit, Mismatch, RowClass } from '../../src/core/audit/types.js';

/** A mismatch for tests of the pure planner and the renderers: every field a sensible default. */
export function mismatch(overrides: Partial<Mismatch> = {}): Mismatch {
  return {
    key: 'k',
    class: 'absent',
    code: null,
    policy: null,
    repairable: false,
    reason: 'r',
    hint: null,
    error: null,
    mirror: null,
    rows: null,
    parent: null,
    fields: [],
    ageSeconds: null,
    sourceRows: null,
    ...overrides,
  };
}

export function noCounts(): Record<RowClass, number> {
  return {
    ok: 0,
    pending: 0,
    absent: 0,
    missing_parent: 0,
    failed: 0,
    gave_up: 0,
    stuck: 0,
    drift: 0,
    duplicate: 0,
    orphan: 0,
    source_duplicate: 0,
  };
}

/** One entity's audit holding these mismatches. */
export function entityAudit(
  mismatches: Mismatch[],
  overrides: Partial<EntityAudit> = {},
): EntityAudit {
  return {
    name: 'e',
    method: 'stream',
    methodChoice: null,
    keysReadInFull: mismatches.length,
    readOnly: false,
    mirrorTable: 't',
    sourceRows: 1,
    mirrorRows: 1,
    unsyncedRows: 0,
    oldestUnsyncedAgeSeconds: null,
    sourceRowsWithoutKey: 0,
    counts: noCounts(),
    mismatches,
    ...overrides,
  };
}
