import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load.js';
import type { WritableEntity } from '../../src/config/types.js';
import type { MirrorRow, ParentReadiness, SourceRow } from '../../src/core/audit-types.js';
import { classifyKey, classifyOrphan, type ClassifyContext } from '../../src/core/classify.js';
import { HC_ERROR_CODES, type HcErrorCode } from '../../src/core/hc-error.js';
import { planRepair } from '../../src/core/plan.js';
import { entityAudit } from '../support/audit-fixtures.js';
import { smallConfig } from '../support/config-text.js';

const config = parseConfig(JSON.stringify(smallConfig()), 'cfg.json');
const role = config.entities.find((e) => e.name === 'role') as WritableEntity;
const school = config.entities.find((e) => e.name === 'school') as WritableEntity;
const NOW = new Date('2026-01-01T12:00:00Z');

function context(entity: WritableEntity, parents: Record<string, Record<string, ParentReadiness>> = {}, hasTriggerLog = true): ClassifyContext {
  return {
    entity,
    parentStates: new Map(Object.entries(parents).map(([name, states]) => [name, new Map(Object.entries(states))])),
    columns: new Map([
      ['name', { type: 'character varying', maxLength: 80 }],
      ['country__c', { type: 'character varying', maxLength: 80 }],
    ]),
    now: NOW,
    staleMs: 30 * 60_000,
    hasTriggerLog,
  };
}

function mirrorRow(overrides: Partial<MirrorRow> = {}): MirrorRow {
  return { id: 1, sfid: null, lastop: 'PENDING', hcErr: null, key: 'k', fields: {}, lookups: {}, log: null, ...overrides };
}

const roleRow: SourceRow = { key: 'k', fields: {}, parents: { editor__r__editoruuid__c: 's1', contact__r__pi_accounts_unique_id__c: 'c1' } };
const ready = { school: { s1: 'ready' as const }, contact: { c1: 'ready' as const } };
const minutesAgo = (n: number) => ({ id: 9, createdAt: new Date(NOW.getTime() - n * 60_000), state: 'NEW', action: 'INSERT', sfMessage: null });

describe('classifyKey', () => {
  it('reports a key that several source rows carry as source_duplicate before anything else, whatever the mirror holds', () => {
    for (const rows of [[], [mirrorRow({ sfid: 'a0Q000000000001AAA', lastop: 'SYNCED' })], [mirrorRow({ id: 1 }), mirrorRow({ id: 2 })]]) {
      const result = classifyKey(context(role, ready), roleRow, rows, 2);
      expect(result.mismatch).toMatchObject({ class: 'source_duplicate', sourceRows: 2, code: null, repairable: false });
    }
    expect(classifyKey(context(role, ready), roleRow, [mirrorRow({ id: 1 }), mirrorRow({ id: 2 })], 1).class).toBe('duplicate');
  });

  it('never offers delete-and-reinsert for a FAILED row that has an sfid (a failed update)', () => {
    const result = classifyKey(context(role, ready), roleRow, [
      mirrorRow({ sfid: 'a0Q000000000001AAA', lastop: 'FAILED', hcErr: 'unable to obtain exclusive access to this record' }),
    ]);
    expect(result.mismatch).toMatchObject({ class: 'failed', code: 'UNABLE_TO_LOCK_ROW', repairable: false });
    expect(result.mismatch!.reason).toMatch(/must never be deleted and re-inserted/);
  });

  it('offers a retry for a lock error on an sfid-NULL row', () => {
    const result = classifyKey(context(role, ready), roleRow, [
      mirrorRow({ lastop: 'FAILED', hcErr: 'UNABLE_TO_LOCK_ROW:unable to obtain exclusive access to this record:--' }),
    ]);
    expect(result.mismatch).toMatchObject({ class: 'failed', code: 'UNABLE_TO_LOCK_ROW', repairable: true });
  });

  it("reads the trigger log's sf_message when _hc_err is empty", () => {
    const log = { ...minutesAgo(5), state: 'FAILED', sfMessage: 'entity is deleted' };
    const result = classifyKey(context(role, ready), roleRow, [mirrorRow({ lastop: 'FAILED', log })]);
    expect(result.mismatch).toMatchObject({ class: 'failed', code: 'ENTITY_IS_DELETED', repairable: false });
  });

  it('blocks on a required parent whose source column is NULL', () => {
    const row: SourceRow = { ...roleRow, parents: { editor__r__editoruuid__c: null, contact__r__pi_accounts_unique_id__c: 'c1' } };
    const result = classifyKey(context(role, ready), row, []);
    expect(result.mismatch).toMatchObject({ class: 'missing_parent', parent: { entity: 'school', key: null, state: 'absent' } });
    expect(result.mismatch!.hint).toBe(
      'the source row names no school (school_id is NULL): set it in the app, or mark the parent "optional" if the lookup may stay empty',
    );
    expect(result.mismatch!.reason).toBe('required parent school is NULL in the source row; this row has no mirror row yet');
  });

  it('skips an optional parent that is NULL', () => {
    const row: SourceRow = { ...roleRow, parents: { editor__r__editoruuid__c: 's1', contact__r__pi_accounts_unique_id__c: null } };
    expect(classifyKey(context(role, ready), row, []).class).toBe('absent');
  });

  it('does not block a synced child on its parents', () => {
    const synced = mirrorRow({
      sfid: 'a0Q000000000002AAA',
      lastop: 'SYNCED',
      lookups: { editor__r__editoruuid__c: 's1', contact__r__pi_accounts_unique_id__c: 'c1' },
    });
    expect(classifyKey(context(role, {}), roleRow, [synced]).class).toBe('ok');
  });

  it('reports a re-parented child as drift of its lookup column', () => {
    const synced = mirrorRow({
      sfid: 'a0Q000000000002AAA',
      lastop: 'SYNCED',
      lookups: { editor__r__editoruuid__c: 's0', contact__r__pi_accounts_unique_id__c: 'c1' },
    });
    expect(classifyKey(context(role, ready), roleRow, [synced]).mismatch?.fields).toEqual([{ column: 'editor__r__editoruuid__c', source: 's1', mirror: 's0' }]);
  });

  it('ages unsynced rows by their newest trigger-log entry', () => {
    const schoolRow: SourceRow = { key: 'k', fields: {}, parents: {} };
    expect(classifyKey(context(school), schoolRow, [mirrorRow({ log: minutesAgo(29) })]).class).toBe('pending');
    expect(classifyKey(context(school), schoolRow, [mirrorRow({ log: minutesAgo(31) })]).class).toBe('stuck');
  });

  it('calls an unsynced row with no trigger-log entry left stuck, and one with no trigger log at all pending', () => {
    const schoolRow: SourceRow = { key: 'k', fields: {}, parents: {} };
    expect(classifyKey(context(school), schoolRow, [mirrorRow()]).mismatch?.reason).toMatch(/older than the log's retention/);
    expect(classifyKey(context(school, {}, false), schoolRow, [mirrorRow()]).class).toBe('pending');
  });

  it('puts duplicate before every other class', () => {
    const rows = [mirrorRow({ id: 1, lastop: 'FAILED' }), mirrorRow({ id: 2 })];
    expect(classifyKey(context(role, {}), roleRow, rows).mismatch).toMatchObject({
      class: 'duplicate',
      reason: '2 mirror rows carry this key (ids 1, 2; 0 with an sfid)',
    });
  });
});

describe('classifyKey: a deferred lookup waiting for its parent', () => {
  // A school that belongs to a parent school: a self-lookup, so written in a second phase.
  const raw = smallConfig();
  raw.entities[0].parents = [{ entity: 'school', column: 'parent_id', lookup: 'parent__r__editoruuid__c', optional: true }];
  const campus = parseConfig(JSON.stringify(raw), 'cfg.json').entities[0] as WritableEntity;
  const child: SourceRow = { key: 'k', fields: {}, parents: { parent__r__editoruuid__c: 'p1' } };
  const synced = (lookups: Record<string, string | null> = { parent__r__editoruuid__c: null }) =>
    mirrorRow({ sfid: 'a0Q000000000003AAA', lastop: 'SYNCED', lookups });

  /** The parent p1 in this state; `loggedAt`: its newest trigger-log entry, null for none left, undefined for not read. */
  function deferredContext(state: ParentReadiness | 'absent', loggedAt?: Date | null, hasTriggerLog = true): ClassifyContext {
    const states = new Map([['school', new Map(state === 'absent' ? [] : [['p1', state]])]]);
    const since = loggedAt === undefined ? new Map() : new Map([['school', new Map([['p1', loggedAt]])]]);
    return { ...context(campus, {}, hasTriggerLog), parentStates: states, deferredStates: states, deferredSince: since };
  }
  const ago = (minutes: number) => new Date(NOW.getTime() - minutes * 60_000);

  it('is drift to correct once the parent is ready, whatever its age', () => {
    expect(classifyKey(deferredContext('ready'), child, [synced()]).mismatch?.fields).toEqual([
      { column: 'parent__r__editoruuid__c', source: 'p1', mirror: null },
    ]);
  });

  it.each([
    // the parent's state, minutes since its newest trigger-log entry, whether the mirror has a trigger log → class, parent state reported
    ['unsynced', 29, true, 'pending', null],
    ['unsynced', 30, true, 'pending', null],
    ['unsynced', 31, true, 'missing_parent', 'unsynced'],
    ['unsynced', 'no entry left', true, 'missing_parent', 'unsynced'],
    ['unsynced', 'not read', true, 'pending', null],
    ['unsynced', 31, false, 'pending', null],
    ['unsynced', 'no entry left', false, 'pending', null],
    ['failed', 1, true, 'missing_parent', 'failed'],
    ['failed', 31, true, 'missing_parent', 'failed'],
    ['failed', 'not read', false, 'missing_parent', 'failed'],
    ['absent', 'not read', true, 'missing_parent', 'absent'],
    ['absent', 'not read', false, 'missing_parent', 'absent'],
  ] as const)('parent %s, last logged %s (minutes), trigger log: %s → %s', (state, logged, hasLog, cls, parentState) => {
    const loggedAt = logged === 'no entry left' ? null : logged === 'not read' ? undefined : ago(logged);
    const result = classifyKey(deferredContext(state, loggedAt, hasLog), child, [synced()]);
    expect(result.class).toBe(cls);
    expect(result.mismatch?.parent ?? null).toEqual(parentState ? { entity: 'school', key: 'p1', state: parentState } : null);
    expect(result.mismatch?.fields ?? []).toEqual([]);
  });

  it('says which lookup waits on what, and what repair does next', () => {
    const failed = classifyKey(deferredContext('failed'), child, [synced()]).mismatch!;
    expect(failed.reason).toBe('deferred lookup parent__r__editoruuid__c cannot be set: parent school p1 FAILED to reach Salesforce; this row is synced');
    expect(failed.hint).toBe(
      'school p1 FAILED to reach Salesforce itself: fix the parent first (see its own mismatch); once it has an sfid, sfsync repair sets parent__r__editoruuid__c (the next run, or this one with --wait)',
    );
    expect(classifyKey(deferredContext('unsynced', ago(120)), child, [synced()]).mismatch!.reason).toBe(
      'deferred lookup parent__r__editoruuid__c cannot be set: parent school p1 has had no sfid for 2h since its last write (threshold 30m)',
    );
    expect(classifyKey(deferredContext('unsynced', null), child, [synced()]).mismatch!.reason).toMatch(/no trigger-log entry left for it/);
    expect(classifyKey(deferredContext('absent'), child, [synced()]).mismatch!.hint).toMatch(/^school p1 was never written to the mirror: write it first/);
  });

  it('leaves other drift of the row to be corrected now, without the lookup', () => {
    const row = { ...child, fields: { name: 'New name' } };
    const result = classifyKey(deferredContext('failed'), row, [synced()]);
    expect(result.mismatch).toMatchObject({ class: 'drift', fields: [{ column: 'name', source: 'New name', mirror: null }] });
  });

  it('is ok once the lookup is set, whatever the parent has become', () => {
    expect(classifyKey(deferredContext('failed'), child, [synced({ parent__r__editoruuid__c: 'p1' })]).class).toBe('ok');
  });

  it('is planned as a deferral on the parent, never as an update of the lookup', () => {
    for (const [state, loggedAt] of [
      ['failed', undefined],
      ['absent', undefined],
      ['unsynced', ago(31)],
    ] as const) {
      const { mismatch } = classifyKey(deferredContext(state, loggedAt), child, [synced()]);
      const [action] = planRepair([entityAudit([mismatch!], { name: 'school' })], { strategy: 'reinsert' });
      expect(action).toMatchObject({ action: 'defer', blockedBy: { entity: 'school', key: 'p1', state }, columns: [] });
    }
  });
});

describe('classifyOrphan', () => {
  it('says why a mirror row has no source row', () => {
    expect(classifyOrphan('k', [mirrorRow()], false).reason).toBe('no source row with this key (deleted in the app?)');
    expect(classifyOrphan('k', [mirrorRow(), mirrorRow({ id: 2 })], true)).toMatchObject({ class: 'orphan', rows: [{ id: 1 }, { id: 2 }] });
  });
});

describe('the repair policy for FAILED rows, code by code', () => {
  /**
   * Which codes repair deletes and re-inserts, for every code the taxonomy has: a Record over HcErrorCode, so a new
   * code does not compile until its policy is written here. Re-sending a row Salesforce refused for its data, its
   * permissions, or because it already holds the record (DUPLICATE_VALUE: often this very row) would repeat or worsen it.
   */
  const REPAIRABLE: Readonly<Record<HcErrorCode, boolean>> = {
    FOREIGN_KEY_NOT_FOUND: true,
    UNABLE_TO_LOCK_ROW: true,
    DUPLICATE_VALUE: false,
    REQUIRED_FIELD_MISSING: false,
    FIELD_CUSTOM_VALIDATION_EXCEPTION: false,
    INVALID_CROSS_REFERENCE_KEY: false,
    ENTITY_IS_DELETED: false,
    INSUFFICIENT_ACCESS: false,
    STRING_TOO_LONG: false,
    UNKNOWN: false,
  };
  /** An _hc_err text Connect could hold for each code. */
  const text = (code: HcErrorCode) =>
    code === 'FOREIGN_KEY_NOT_FOUND'
      ? 'Foreign key external ID: s1 not found for field EditorUUID__c in entity Editor__c'
      : code === 'UNKNOWN'
        ? 'an error nobody has seen before'
        : `${code}:the message:--`;

  it.each([...HC_ERROR_CODES])('%s: repairable exactly as the policy says, and planned so', (code) => {
    const result = classifyKey(context(role, ready), roleRow, [mirrorRow({ lastop: 'FAILED', hcErr: text(code) })]);
    expect(result.mismatch).toMatchObject({ class: 'failed', code, repairable: REPAIRABLE[code] });
    const [action] = planRepair([entityAudit([result.mismatch!], { name: 'role' })], { strategy: 'reinsert' });
    expect(action!.action).toBe(REPAIRABLE[code] ? 'reinsert' : 'skip');
  });

  it.each([...HC_ERROR_CODES])('%s on a row that has an sfid (a failed update): never repairable', (code) => {
    const result = classifyKey(context(role, ready), roleRow, [mirrorRow({ sfid: 'a0Q000000000001AAA', lastop: 'FAILED', hcErr: text(code) })]);
    expect(result.mismatch).toMatchObject({ class: 'failed', code, repairable: false });
  });

  it.each(['unsynced', 'failed', undefined] as const)(
    'FOREIGN_KEY_NOT_FOUND while the parent is %s (undefined: absent from the mirror): missing_parent, waiting for it, not a retry',
    (state) => {
      const parents: Record<string, Record<string, ParentReadiness>> = { school: state ? { s1: state } : {}, contact: { c1: 'ready' } };
      const result = classifyKey(context(role, parents), roleRow, [mirrorRow({ lastop: 'FAILED', hcErr: text('FOREIGN_KEY_NOT_FOUND') })]);
      expect(result.mismatch).toMatchObject({
        class: 'missing_parent',
        code: 'FOREIGN_KEY_NOT_FOUND',
        repairable: false,
        parent: { entity: 'school', key: 's1', state: state ?? 'absent' },
      });
      const [action] = planRepair([entityAudit([result.mismatch!], { name: 'role' })], { strategy: 'reinsert' });
      expect(action).toMatchObject({ action: 'defer', blockedBy: { entity: 'school', state: state ?? 'absent' } });
    },
  );
});
