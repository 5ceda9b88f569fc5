import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load.js';
import type { WritableEntity } from '../../src/config/types.js';
import type { MirrorRow, ParentReadiness, SourceRow } from '../../src/core/audit/types.js';
import {
  classifyKey,
  classifyOrphan,
  type ClassifyContext,
} from '../../src/core/audit/classify.js';
import { HC_ERROR_CODES, type HcErrorCode } from '../../src/core/connect/error-taxonomy.js';
import { planRepair } from '../../src/core/repair/plan.js';
import { entityAudit } from '../support/audit-fixtures.js';
import { smallConfig } from '../support/config-text.js';

const config = parseConfig(JSON.stringify(smallConfig()), 'cfg.json');
const role = config.entities.find((e) => e.name === 'role') as WritableEntity;
const school = config.entities.find((e) => e.name === 'school') as WritableEntity;
const NOW = new Date('2026-01-01T12:00:00Z');

function context(
  entity: WritableEntity,
  parents: Record<string, Record<string, ParentReadiness>> = {},
  hasTriggerLog = true,
): ClassifyContext {
  return {
    entity,
    parentStates: new Map(
      Object.entries(parents).map(([name, states]) => [name, new Map(Object.entries(states))]),
    ),
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
  return {
    id: 1,
    sfid: null,
    lastop: 'PENDING',
    hcErr: null,
    key: 'k',
    fields: {},
    lookups: {},
    log: null,
    ...overrides,
  };
}

const roleRow: SourceRow = {
  key: 'k',
  fields: {},
  parents: { editor__r__editoruuid__c: 's1', contact__r__pi_accounts_unique_id__c: 'c1' },
};
const ready = { school: { s1: 'ready' as const }, contact: { c1: 'ready' as const } };
const minutesAgo = (n: number) => ({
  id: 9,
  createdAt: new Date(NOW.getTime() - n * 60_000),
  state: 'NEW',
  action: 'INSERT',
  sfMessage: null,
});

describe('classifyKey', () => {
  it('a key several source rows carry is source_duplicate first, whatever the mirror holds', () => {
    for (const rows of [
      [],
      [mirrorRow({ sfid: 'a0Q000000000001AAA', lastop: 'SYNCED' })],
      [mirrorRow({ id: 1 }), mirrorRow({ id: 2 })],
    ]) {
      const result = classifyKey(context(role, ready), roleRow, rows, 2);
      expect(result.mismatch).toMatchObject({
        class: 'source_duplicate',
        sourceRows: 2,
        code: null,
        repairable: false,
      });
    }
    expect(
      classifyKey(context(role, ready), roleRow, [mirrorRow({ id: 1 }), mirrorRow({ id: 2 })], 1)
        .class,
    ).toBe('duplicate');
  });

  it("parses a FAILED row's error with the context's parser when it has one", () => {
    const texts: unknown[] = [];
    const parseError = (text: string | null | undefined) => {
      texts.push(text);
      return text
        ? { code: 'DUPLICATE_VALUE' as const, statusCode: undefined, message: 'x' }
        : null;
    };
    const log = { ...minutesAgo(5), state: 'FAILED', sfMessage: 'entity is deleted' };
    const row = mirrorRow({ lastop: 'FAILED', hcErr: 'entity is deleted', log });
    const result = classifyKey(
      { ...context(school), parseError },
      { key: 'k', fields: {}, parents: {} },
      [row],
    );
    expect(texts).toEqual(['entity is deleted', 'entity is deleted']);
    expect(result.mismatch).toMatchObject({ class: 'failed', code: 'DUPLICATE_VALUE' });
    expect(
      classifyKey(context(school), { key: 'k', fields: {}, parents: {} }, [row]).mismatch,
    ).toMatchObject({ class: 'failed', code: 'ENTITY_IS_DELETED' });
  });

  it('never offers delete-and-reinsert for a FAILED row that has an sfid (a failed update)', () => {
    const result = classifyKey(context(role, ready), roleRow, [
      mirrorRow({
        sfid: 'a0Q000000000001AAA',
        lastop: 'FAILED',
        hcErr: 'unable to obtain exclusive access to this record',
      }),
    ]);
    expect(result.mismatch).toMatchObject({
      class: 'failed',
      code: 'UNABLE_TO_LOCK_ROW',
      repairable: false,
    });
    expect(result.mismatch!.reason).toMatch(/must never be deleted and re-inserted/);
  });

  it('offers a retry for a lock error on an sfid-NULL row', () => {
    const result = classifyKey(context(role, ready), roleRow, [
      mirrorRow({
        lastop: 'FAILED',
        hcErr: 'UNABLE_TO_LOCK_ROW:unable to obtain exclusive access to this record:--',
      }),
    ]);
    expect(result.mismatch).toMatchObject({
      class: 'failed',
      code: 'UNABLE_TO_LOCK_ROW',
      repairable: true,
    });
  });

  it("reads the trigger log's sf_message when _hc_err is empty", () => {
    const log = { ...minutesAgo(5), state: 'FAILED', sfMessage: 'entity is deleted' };
    const result = classifyKey(context(role, ready), roleRow, [
      mirrorRow({ lastop: 'FAILED', log }),
    ]);
    expect(result.mismatch).toMatchObject({
      class: 'failed',
      code: 'ENTITY_IS_DELETED',
      repairable: false,
    });
  });

  it('blocks on a required parent whose source column is NULL', () => {
    const row: SourceRow = {
      ...roleRow,
      parents: { editor__r__editoruuid__c: null, contact__r__pi_accounts_unique_id__c: 'c1' },
    };
    const result = classifyKey(context(role, ready), row, []);
    expect(result.mismatch).toMatchObject({
      class: 'missing_parent',
      parent: { entity: 'school', key: null, state: 'absent' },
    });
    expect(result.mismatch!.hint).toBe(
      'the source row names no school (school_id is NULL): set it in the app, ' +
        'or mark the parent "optional" if the lookup may stay empty',
    );
    expect(result.mismatch!.reason).toBe(
      'required parent school is NULL in the source row; this row has no mirror row yet',
    );
  });

  it('skips an optional parent that is NULL', () => {
    const row: SourceRow = {
      ...roleRow,
      parents: { editor__r__editoruuid__c: 's1', contact__r__pi_accounts_unique_id__c: null },
    };
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
    expect(classifyKey(context(role, ready), roleRow, [synced]).mismatch?.fields).toEqual([
      { column: 'editor__r__editoruuid__c', source: 's1', mirror: 's0' },
    ]);
  });

  it('ages unsynced rows by their newest trigger-log entry', () => {
    const schoolRow: SourceRow = { key: 'k', fields: {}, parents: {} };
    expect(
      classifyKey(context(school), schoolRow, [mirrorRow({ log: minutesAgo(29) })]).class,
    ).toBe('pending');
    expect(
      classifyKey(context(school), schoolRow, [mirrorRow({ log: minutesAgo(31) })]).class,
    ).toBe('stuck');
  });

  it('an unsynced row is stuck without a trigger-log entry, pending without a trigger log', () => {
    const schoolRow: SourceRow = { key: 'k', fields: {}, parents: {} };
    expect(classifyKey(context(school), schoolRow, [mirrorRow()]).mismatch?.reason).toMatch(
      /older than the log's retention/,
    );
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
  raw.entities[0].parents = [
    { entity: 'school', column: 'parent_id', lookup: 'parent__r__editoruuid__c', optional: true },
  ];
  const campus = parseConfig(JSON.stringify(raw), 'cfg.json').entities[0] as WritableEntity;
  const child: SourceRow = { key: 'k', fields: {}, parents: { parent__r__editoruuid__c: 'p1' } };
  const synced = (lookups: Record<string, string | null> = { parent__r__editoruuid__c: null }) =>
    mirrorRow({ sfid: 'a0Q000000000003AAA', lastop: 'SYNCED', lookups });

  /**
   * The parent p1 in this state; `loggedAt`: its newest trigger-log entry, null for none left,
   * undefined for not read.
   */
  function deferredContext(
    state: ParentReadiness | 'absent',
    loggedAt?: Date | null,
    hasTriggerLog = true,
  ): ClassifyContext {
    const states = new Map([['school', new Map(state === 'absent' ? [] : [['p1', state]])]]);
    const since =
      loggedAt === undefined ? new Map() : new Map([['school', new Map([['p1', loggedAt]])]]);
    return {
      ...context(campus, {}, hasTriggerLog),
      parentStates: states,
      deferredStates: states,
      deferredSince: since,
    };
  }
  const ago = (minutes: number) => new Date(NOW.getTime() - minutes * 60_000);

  it('is drift to correct once the parent is ready, whatever its age', () => {
    expect(classifyKey(deferredContext('ready'), child, [synced()]).mismatch?.fields).toEqual([
      { column: 'parent__r__editoruuid__c', source: 'p1', mirror: null },
    ]);
  });

  it.each([
    // the parent's state, minutes since its newest trigger-log entry, whether the mirror has a
    // trigger log → class, parent state reported
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
  ] as const)(
    'parent %s, last logged %s (minutes), trigger log: %s → %s',
    (state, logged, hasLog, cls, parentState) => {
      const loggedAt =
        logged === 'no entry left' ? null : logged === 'not read' ? undefined : ago(logged);
      const result = classifyKey(deferredContext(state, loggedAt, hasLog), child, [synced()]);
      expect(result.class).toBe(cls);
      expect(result.mismatch?.parent ?? null).toEqual(
        parentState ? { entity: 'school', key: 'p1', state: parentState } : null,
      );
      expect(result.mismatch?.fields ?? []).toEqual([]);
    },
  );

  it('says which lookup waits on what, and what repair does next', () => {
    const failed = classifyKey(deferredContext('failed'), child, [synced()]).mismatch!;
    expect(failed.reason).toBe(
      'deferred lookup parent__r__editoruuid__c cannot be set: ' +
        'parent school p1 FAILED to reach Salesforce; this row is synced',
    );
    expect(failed.hint).toBe(
      'school p1 FAILED to reach Salesforce itself: fix the parent first (see its own mismatch); ' +
        'once it has an sfid, sfsync repair sets parent__r__editoruuid__c ' +
        '(the next run, or this one with --wait)',
    );
    expect(
      classifyKey(deferredContext('unsynced', ago(120)), child, [synced()]).mismatch!.reason,
    ).toBe(
      'deferred lookup parent__r__editoruuid__c cannot be set: ' +
        'parent school p1 has had no sfid for 2h since its last write (threshold 30m)',
    );
    expect(
      classifyKey(deferredContext('unsynced', null), child, [synced()]).mismatch!.reason,
    ).toMatch(/no trigger-log entry left for it/);
    expect(classifyKey(deferredContext('absent'), child, [synced()]).mismatch!.hint).toMatch(
      /^school p1 was never written to the mirror: write it first/,
    );
  });

  it('leaves other drift of the row to be corrected now, without the lookup', () => {
    const row = { ...child, fields: { name: 'New name' } };
    const result = classifyKey(deferredContext('failed'), row, [synced()]);
    expect(result.mismatch).toMatchObject({
      class: 'drift',
      fields: [{ column: 'name', source: 'New name', mirror: null }],
    });
  });

  it('is ok once the lookup is set, whatever the parent has become', () => {
    expect(
      classifyKey(deferredContext('failed'), child, [synced({ parent__r__editoruuid__c: 'p1' })])
        .class,
    ).toBe('ok');
  });

  it('is planned as a deferral on the parent, never as an update of the lookup', () => {
    for (const [state, loggedAt] of [
      ['failed', undefined],
      ['absent', undefined],
      ['unsynced', ago(31)],
    ] as const) {
      const { mismatch } = classifyKey(deferredContext(state, loggedAt), child, [synced()]);
      const [action] = planRepair([entityAudit([mismatch!], { name: 'school' })], {
        strategy: 'reinsert',
      });
      expect(action).toMatchObject({
        action: 'defer',
        blockedBy: { entity: 'school', key: 'p1', state },
        columns: [],
      });
    }
  });
});

describe('classifyOrphan', () => {
  it('says why a mirror row has no source row', () => {
    expect(classifyOrphan('k', [mirrorRow()], false).reason).toBe(
      'no source row with this key (deleted in the app?)',
    );
    expect(classifyOrphan('k', [mirrorRow(), mirrorRow({ id: 2 })], true)).toMatchObject({
      class: 'orphan',
      rows: [{ id: 1 }, { id: 2 }],
    });
  });
});

describe('the repair policy for FAILED rows, code by code', () => {
  /**
   * Which codes repair deletes and re-inserts, for every code the taxonomy has: a Record over
   * HcErrorCode, so a new code does not compile until its policy is written here. Re-sending a row
   * Salesforce refused for its data, its permissions, or because it already holds the record
   * (DUPLICATE_VALUE: often this very row) would repeat or worsen it.
   */
  const REPAIRABLE: Readonly<Record<HcErrorCode, boolean>> = {
    // A parent missing, or Salesforce busy or out of requests for now.
    FOREIGN_KEY_NOT_FOUND: true,
    UNABLE_TO_LOCK_ROW: true,
    ENTITY_IS_LOCKED: true,
    INVALID_SESSION_ID: true,
    LIMIT_EXCEEDED: true,
    REQUEST_LIMIT_EXCEEDED: true,
    SERVER_UNAVAILABLE: true,
    // Timeouts and internal errors may have created the record: never re-sent blindly.
    QUERY_TIMEOUT: false,
    UNKNOWN_EXCEPTION: false,
    DUPLICATE_VALUE: false,
    REQUIRED_FIELD_MISSING: false,
    FIELD_CUSTOM_VALIDATION_EXCEPTION: false,
    INVALID_CROSS_REFERENCE_KEY: false,
    ENTITY_IS_DELETED: false,
    INSUFFICIENT_ACCESS: false,
    STRING_TOO_LONG: false,
    API_CURRENTLY_DISABLED: false,
    API_DISABLED_FOR_ORG: false,
    API_ERROR: false,
    BAD_REQUEST: false,
    CANNOT_EXECUTE_FLOW_TRIGGER: false,
    CANNOT_INSERT_UPDATE_ACTIVATE_ENTITY: false,
    CANNOT_UPDATE_CONVERTED_LEAD: false,
    CIRCULAR_DEPENDENCY: false,
    ClientInputError: false,
    DELETE_FAILED: false,
    DUPLICATE_EXTERNAL_ID: false,
    DUPLICATES_DETECTED: false,
    EXCEEDED_ID_LIMIT: false,
    FIELD_FILTER_VALIDATION_EXCEPTION: false,
    FIELD_INTEGRITY_EXCEPTION: false,
    FORBIDDEN: false,
    FUNCTIONALITY_NOT_ENABLED: false,
    INACTIVE_OWNER_OR_USER: false,
    INSUFFICIENT_ACCESS_ON_CROSS_REFERENCE_ENTITY: false,
    INSUFFICIENT_ACCESS_OR_READONLY: false,
    INVALID_AUTH_HEADER: false,
    INVALID_EMAIL_ADDRESS: false,
    INVALID_EMPTY_KEY_OWNER: false,
    INVALID_FIELD: false,
    INVALID_FIELD_FOR_INSERT_UPDATE: false,
    invalid_grant: false,
    INVALID_ID_FIELD: false,
    INVALID_INPUT: false,
    INVALID_LOGIN: false,
    INVALID_OPERATION: false,
    INVALID_OPERATION_WITH_EXPIRED_PASSWORD: false,
    INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST: false,
    INVALID_TYPE: false,
    INVALID_TYPE_ON_FIELD_IN_RECORD: false,
    InvalidBatch: false,
    INVALIDENTITY: false,
    INVALIDJOB: false,
    InvalidJob: false,
    JSON_PARSER_ERROR: false,
    MALFORMED_ID: false,
    MALFORMED_QUERY: false,
    MERGE_FAILED: false,
    MISSING_ARGUMENT: false,
    MIXED_DML_OPERATION: false,
    NO_APPLICABLE_PROCESS: false,
    NOT_FOUND: false,
    NUMBER_OUTSIDE_VALID_RANGE: false,
    OAUTH_APP_BLOCKED: false,
    OPERATION_TOO_LARGE: false,
    PORTAL_USER_ALREADY_EXISTS_FOR_CONTACT: false,
    QUERY_TOO_COMPLICATED: false,
    STORAGE_LIMIT_EXCEEDED: false,
    TOO_MANY_ENUM_VALUE: false,
    TRANSFER_REQUIRES_READ: false,
    TXN_SECURITY_NO_ACCESS: false,
    UNSUPPORTED_CLIENT: false,
    UNKNOWN: false,
  };

  /** An _hc_err text Connect could hold for each code. */
  const text = (code: HcErrorCode) =>
    code === 'FOREIGN_KEY_NOT_FOUND'
      ? 'Foreign key external ID: s1 not found for field EditorUUID__c in entity Editor__c'
      : code === 'UNKNOWN'
        ? 'an error nobody has seen before'
        : `${code}:the message:--`;

  it.each([...HC_ERROR_CODES])(
    '%s: repairable exactly as the policy says, and planned so',
    (code) => {
      // The mirror row holds what the source holds: nothing changed since the failure.
      const result = classifyKey(context(role, ready), roleRow, [
        mirrorRow({ lastop: 'FAILED', hcErr: text(code), lookups: roleRow.parents }),
      ]);
      expect(result.mismatch).toMatchObject({
        class: 'failed',
        code,
        repairable: REPAIRABLE[code],
      });
      const [action] = planRepair([entityAudit([result.mismatch!], { name: 'role' })], {
        strategy: 'reinsert',
      });
      expect(action!.action).toBe(REPAIRABLE[code] ? 'reinsert' : 'skip');
    },
  );

  it.each([...HC_ERROR_CODES])(
    '%s on a row that has an sfid (a failed update): never repairable',
    (code) => {
      const result = classifyKey(context(role, ready), roleRow, [
        mirrorRow({ sfid: 'a0Q000000000001AAA', lastop: 'FAILED', hcErr: text(code) }),
      ]);
      expect(result.mismatch).toMatchObject({ class: 'failed', code, repairable: false });
    },
  );

  it.each(['unsynced', 'failed', undefined] as const)(
    'FOREIGN_KEY_NOT_FOUND while the parent is %s (undefined: absent from the mirror): ' +
      'missing_parent, waiting for it, not a retry',
    (state) => {
      const parents: Record<string, Record<string, ParentReadiness>> = {
        school: state ? { s1: state } : {},
        contact: { c1: 'ready' },
      };
      const result = classifyKey(context(role, parents), roleRow, [
        mirrorRow({ lastop: 'FAILED', hcErr: text('FOREIGN_KEY_NOT_FOUND') }),
      ]);
      expect(result.mismatch).toMatchObject({
        class: 'missing_parent',
        code: 'FOREIGN_KEY_NOT_FOUND',
        repairable: false,
        parent: { entity: 'school', key: 's1', state: state ?? 'absent' },
      });
      const [action] = planRepair([entityAudit([result.mismatch!], { name: 'role' })], {
        strategy: 'reinsert',
      });
      expect(action).toMatchObject({
        action: 'defer',
        blockedBy: { entity: 'school', state: state ?? 'absent' },
      });
    },
  );
});

describe('classifyKey: the facts each mismatch reports', () => {
  const schoolRow: SourceRow = { key: 'k', fields: {}, parents: {} };
  const SFID = 'a0Q000000000001AAA';
  const classifySchool = (rows: MirrorRow[], sourceRows?: number) =>
    classifyKey(context(school), schoolRow, rows, sourceRows);
  const snap = ({ id, sfid, lastop, hcErr }: MirrorRow) => ({ id, sfid, lastop, hcErr });

  it('reports a source_duplicate with its count, listing mirror rows only when several', () => {
    const one = mirrorRow({ id: 3 });
    const two = [mirrorRow({ id: 3 }), mirrorRow({ id: 5, sfid: SFID, lastop: 'SYNCED' })];
    const reason =
      '2 source rows carry this key: source.key is not unique, ' +
      "so which row the mirror should hold is the app's call";
    for (const [rows, listed] of [
      [[], null],
      [[one], null],
      [two, two.map(snap)],
    ] as const) {
      const { mismatch } = classifySchool([...rows], 2);
      expect(mismatch).toMatchObject({ class: 'source_duplicate', reason, sourceRows: 2 });
      expect(mismatch!.rows).toEqual(listed);
      expect(mismatch!.mirror).toEqual(rows[0] ? snap(rows[0]) : null);
    }
  });

  it('lists every duplicate row as a snapshot and counts those with an sfid', () => {
    const rows = [
      mirrorRow({ id: 1, sfid: SFID, lastop: 'SYNCED' }),
      mirrorRow({
        id: 4,
        lastop: 'FAILED',
        hcErr: 'boom',
        fields: { name: 'x' },
        log: minutesAgo(1),
      }),
      mirrorRow({ id: 7 }),
    ];
    const { mismatch } = classifySchool(rows);
    expect(mismatch!.reason).toBe('3 mirror rows carry this key (ids 1, 4, 7; 1 with an sfid)');
    // A snapshot carries the row's identity and sync state, never its data.
    expect(mismatch!.rows).toEqual([
      { id: 1, sfid: SFID, lastop: 'SYNCED', hcErr: null },
      { id: 4, sfid: null, lastop: 'FAILED', hcErr: 'boom' },
      { id: 7, sfid: null, lastop: 'PENDING', hcErr: null },
    ]);
    expect(mismatch!.mirror).toEqual({ id: 1, sfid: SFID, lastop: 'SYNCED', hcErr: null });
  });

  it('says an absent row was never written to the mirror', () => {
    expect(classifySchool([]).mismatch).toMatchObject({
      class: 'absent',
      reason: 'no mirror row: never written to the mirror',
      mirror: null,
    });
  });

  const retention = "no sfid and no trigger-log entry left for it: older than the log's retention";
  it.each([
    // minutes since the newest log entry (null: none left), lastop, log state → reason, age (s)
    [
      31,
      'PENDING',
      'NEW',
      'no sfid 31m after its last write (threshold 30m; last op PENDING, log NEW)',
      1860,
    ],
    [
      90,
      null,
      null,
      'no sfid 90m after its last write (threshold 30m; last op none, log none)',
      5400,
    ],
    [null, 'PENDING', null, `${retention} (last op PENDING)`, null],
    [null, null, null, `${retention} (last op none)`, null],
  ] as const)(
    'calls a row without an sfid logged %s minutes ago stuck, with its age',
    (minutes, lastop, state, reason, ageSeconds) => {
      const log = minutes === null ? null : { ...minutesAgo(minutes), state };
      const { mismatch } = classifySchool([mirrorRow({ lastop, log })]);
      expect(mismatch).toMatchObject({ class: 'stuck', reason, ageSeconds });
    },
  );

  it('keeps a row pending up to the stale threshold itself', () => {
    expect(classifySchool([mirrorRow({ log: minutesAgo(30) })])).toEqual({ class: 'pending' });
  });

  it("warns in a FAILED row's reason that a row with an sfid is never deleted", () => {
    const hcErr = 'UNABLE_TO_LOCK_ROW:unable to obtain exclusive access to this record:--';
    const failed = 'FAILED: unable to obtain exclusive access to this record';
    const never =
      ' (the row has an sfid: an update failed, so it must never be deleted and re-inserted)';
    expect(classifySchool([mirrorRow({ lastop: 'FAILED', hcErr })]).mismatch!.reason).toBe(failed);
    const synced = classifySchool([mirrorRow({ sfid: SFID, lastop: 'FAILED', hcErr })]);
    expect(synced.mismatch!.reason).toBe(failed + never);
  });

  const lockText = 'UNABLE_TO_LOCK_ROW:unable to obtain exclusive access to this record:--';
  const lockMessage = 'unable to obtain exclusive access to this record';
  it.each([
    // _hc_err, the trigger log's sf_message → code, message
    [lockText, 'entity is deleted', 'UNABLE_TO_LOCK_ROW', lockMessage],
    ['something odd', 'entity is deleted', 'ENTITY_IS_DELETED', 'entity is deleted'],
    ['something odd', null, 'UNKNOWN', 'something odd'],
    [null, null, 'UNKNOWN', 'FAILED with no error text in _hc_err or the trigger log'],
  ] as const)(
    'reads a FAILED error from _hc_err %j, then from the log %j when unreadable',
    (hcErr, sfMessage, code, message) => {
      const log = { ...minutesAgo(5), state: 'FAILED', sfMessage };
      const { mismatch } = classifySchool([mirrorRow({ lastop: 'FAILED', hcErr, log })]);
      expect(mismatch).toMatchObject({
        class: 'failed',
        code,
        reason: `FAILED: ${message}`,
        error: { message },
      });
    },
  );

  it('counts and names the drifted fields', () => {
    const source: SourceRow = { ...schoolRow, fields: { name: 'A', country__c: 'FR' } };
    const drift = (fields: Record<string, unknown>) =>
      classifyKey(context(school), source, [mirrorRow({ sfid: SFID, lastop: 'SYNCED', fields })])
        .mismatch;
    expect(drift({ name: 'B', country__c: 'FR' })!.reason).toBe('1 field differs: name');
    expect(drift({ name: 'B', country__c: 'DE' })).toMatchObject({
      class: 'drift',
      reason: '2 fields differ: name, country__c',
      fields: [
        { column: 'name', source: 'A', mirror: 'B' },
        { column: 'country__c', source: 'FR', mirror: 'DE' },
      ],
    });
  });
});

describe('classifyKey: a child blocked on its parent', () => {
  const then = 'once it has an sfid, sfsync repair writes this row (re-inserting it if it FAILED)';
  const fkError =
    'Foreign key external ID: s1 not found for field EditorUUID__c in entity Editor__c';
  const failedParent =
    'school s1 FAILED to reach Salesforce itself: fix the parent first (see its own mismatch)';

  it.each([
    // school s1's state, the child's mirror row → reason, hint
    [
      'unsynced',
      null,
      'parent school s1 has no sfid yet; this row has no mirror row yet',
      'school s1 is in the mirror but Connect has not given it an sfid yet: ' +
        'wait for Connect (or use repair --wait)',
    ],
    [
      'absent',
      mirrorRow({ lastop: 'PENDING' }),
      'parent school s1 has no mirror row; this row is PENDING without an sfid',
      'school s1 was never written to the mirror: ' +
        'write it first (`sfsync repair` inserts it if its source row exists)',
    ],
    [
      'failed',
      mirrorRow({ lastop: null }),
      'parent school s1 FAILED to reach Salesforce; this row is unsynced without an sfid',
      failedParent,
    ],
    [
      'failed',
      mirrorRow({ lastop: 'FAILED', hcErr: fkError }),
      'parent school s1 FAILED to reach Salesforce; this row is FAILED (FOREIGN_KEY_NOT_FOUND)',
      failedParent,
    ],
  ] as const)(
    'parent %s, child row %j: says where the parent is and what repair does next',
    (state, row, reason, hint) => {
      const school: Record<string, ParentReadiness> = state === 'absent' ? {} : { s1: state };
      const parents = { school, contact: { c1: 'ready' as const } };
      const { mismatch } = classifyKey(context(role, parents), roleRow, row ? [row] : []);
      expect(mismatch).toMatchObject({ class: 'missing_parent', reason, hint: `${hint}; ${then}` });
      expect(mismatch!.parent).toEqual({ entity: 'school', key: 's1', state });
    },
  );

  it('asks for a missing read-only parent to be created upstream: sfsync cannot write it', () => {
    const parents = { ...roleRow.parents, contact__r__pi_accounts_unique_id__c: 'c9' };
    const { mismatch } = classifyKey(context(role, ready), { ...roleRow, parents }, []);
    const upstream =
      'contact c9 has not arrived from Salesforce (a read-only mapping sfsync cannot write)';
    expect(mismatch).toMatchObject({
      class: 'missing_parent',
      parent: { entity: 'contact', key: 'c9', state: 'absent' },
      hint: `${upstream}: create it upstream; ${then}`,
    });
  });
});

describe('classifyKey: deferred lookups never hold back an unsynced row', () => {
  const raw = smallConfig();
  raw.entities[0].parents = [
    { entity: 'school', column: 'parent_id', lookup: 'parent__r__editoruuid__c', optional: true },
    { entity: 'school', column: 'sister_id', lookup: 'sister__r__editoruuid__c', optional: true },
  ];
  const campus = parseConfig(JSON.stringify(raw), 'cfg.json').entities[0] as WritableEntity;
  const lookups = (p1: string | null, p2: string | null) => ({
    parent__r__editoruuid__c: p1,
    sister__r__editoruuid__c: p2,
  });
  const child: SourceRow = { key: 'k', fields: {}, parents: lookups('p1', 'p2') };
  const synced = mirrorRow({ sfid: 'a0Q000000000003AAA', lastop: 'SYNCED' });
  const ago = (minutes: number) => new Date(NOW.getTime() - minutes * 60_000);

  function deferredContext(
    states: Record<string, ParentReadiness>,
    since: Record<string, Date | null> = {},
  ) {
    const map = new Map([['school', new Map(Object.entries(states))]]);
    const sinceMap = new Map([['school', new Map(Object.entries(since))]]);
    return { ...context(campus), parentStates: map, deferredStates: map, deferredSince: sinceMap };
  }

  it('inserts a row whose deferred parents are not in the mirror yet', () => {
    expect(classifyKey(deferredContext({}), child, []).class).toBe('absent');
    expect(classifyKey(deferredContext({}), child, [mirrorRow({ log: minutesAgo(1) })]).class).toBe(
      'pending',
    );
  });

  it('reports the lookup that cannot be set even when another one is still on its way', () => {
    const ctx = deferredContext({ p1: 'unsynced', p2: 'failed' }, { p1: ago(1) });
    const { mismatch } = classifyKey(ctx, child, [synced]);
    expect(mismatch).toMatchObject({
      class: 'missing_parent',
      parent: { entity: 'school', key: 'p2', state: 'failed' },
    });
    expect(mismatch!.reason).toBe(
      'deferred lookup sister__r__editoruuid__c cannot be set: ' +
        'parent school p2 FAILED to reach Salesforce; this row is synced',
    );
  });

  it('says a deferred parent stuck past --stale is stuck itself, and what repair does next', () => {
    const ctx = deferredContext({ p1: 'unsynced', p2: 'ready' }, { p1: ago(45) });
    const { mismatch } = classifyKey(ctx, { ...child, parents: lookups('p1', null) }, [synced]);
    const waits = 'deferred lookup parent__r__editoruuid__c cannot be set';
    const stuck = 'school p1 is stuck itself: Connect has not sent it';
    const next =
      'once it has an sfid, sfsync repair sets parent__r__editoruuid__c ' +
      '(the next run, or this one with --wait)';
    expect(mismatch).toMatchObject({
      class: 'missing_parent',
      parent: { entity: 'school', key: 'p1', state: 'unsynced' },
      reason:
        `${waits}: parent school p1 has had no sfid for 45m ` +
        'since its last write (threshold 30m)',
      hint: `${stuck} (see its own mismatch; check the connection and its trigger log); ${next}`,
    });
  });
});

describe('classifyOrphan: the reason and rows', () => {
  const deleted = 'no source row with this key (deleted in the app?)';
  const filteredOut = 'no source row with this key passes source.where (deleted, or filtered out)';
  it.each([
    [false, 1, deleted],
    [true, 1, filteredOut],
    [false, 2, `${deleted}; 2 mirror rows carry it`],
    [true, 3, `${filteredOut}; 3 mirror rows carry it`],
  ] as const)('filtered: %s, %i mirror rows → %s', (filtered, count, reason) => {
    const rows = Array.from({ length: count }, (_, i) => mirrorRow({ id: i + 1 }));
    const orphan = classifyOrphan('k', rows, filtered);
    expect(orphan).toMatchObject({ class: 'orphan', key: 'k', reason, mirror: { id: 1 } });
    // One row is the mirror snapshot already; rows lists them only when several carry the key.
    expect(orphan.rows?.map((r) => r.id) ?? null).toEqual(count > 1 ? rows.map((r) => r.id) : null);
  });
});
