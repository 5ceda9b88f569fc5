import { describe, expect, it } from 'vitest';
import type { Entity, ParentLink, WritableEntity } from '../../src/core/entities/entity.js';
import type { MirrorRow } from '../../src/core/audit/types.js';
import type { ErrorPolicy, HcErrorCode } from '../../src/core/connect/error-taxonomy.js';
import {
  blockingPath,
  buildParentChain,
  type ChainLink,
  parentStates,
  type ParentRecord,
  readinessOf,
  recordId,
} from '../../src/core/why/parent-chain.js';
import {
  isFine,
  onNeitherSide,
  type LogEntry,
  type RecordStory,
} from '../../src/core/why/story.js';
import { newestEntries, unsyncedSince } from '../../src/core/why/trigger-log.js';
import { judgeRecord, rowsError, type VerdictInput } from '../../src/core/why/verdict.js';

const link = (entity: string, extra: Partial<ParentLink> = {}): ParentLink => ({
  entity,
  column: `${entity}_id`,
  lookup: `${entity}__r__ext__c`,
  optional: false,
  readOnly: false,
  deferred: false,
  ...extra,
});

const writable = (name: string, parents: ParentLink[] = []): WritableEntity => ({
  name,
  readOnly: false,
  mirror: { table: `${name}__c`, externalId: 'ext__c' },
  source: { table: name, key: { kind: 'column', column: 'id' }, where: undefined },
  fields: [{ mirrorColumn: 'name', source: { kind: 'column', column: 'name' } }],
  parents,
});

const keys = (entries: Record<string, string | null>) =>
  Object.fromEntries(Object.entries(entries).map(([e, k]) => [`${e}__r__ext__c`, k]));

const row = (id: number, sfid: string | null, lastop: string | null = null) => ({
  id,
  sfid,
  lastop,
});

/** Records by "entity key": rows and own parent keys. */
const records = (entries: Record<string, ParentRecord>): ReadonlyMap<string, ParentRecord> =>
  new Map(
    Object.entries(entries).map(([name, record]) => {
      const [entity, key] = name.split(' ');
      return [recordId(entity!, key!), record];
    }),
  );

const byName = (...entities: Entity[]) => new Map(entities.map((e) => [e.name, e]));
const shape = (links: readonly ChainLink[]): unknown[] =>
  links.map((l) => [l.entity, l.key, l.state, l.blocks, l.cut, shape(l.parents)]);

describe('the readiness of a parent, as the audit reads it', () => {
  it('is absent without rows, ready with an sfid, failed when one FAILED, else unsynced', () => {
    expect(readinessOf([])).toBe('absent');
    expect(readinessOf([row(1, null, 'PENDING')])).toBe('unsynced');
    expect(readinessOf([row(1, null, 'FAILED')])).toBe('failed');
    expect(readinessOf([row(1, null, 'FAILED'), row(2, 'a01')])).toBe('ready');
    expect(readinessOf([row(1, null, null), row(2, null, 'FAILED')])).toBe('failed');
  });
});

describe('the parent chain', () => {
  const school = writable('school');
  const klass = writable('klass', [link('school')]);
  const lesson = writable('lesson', [link('klass'), link('teacher', { optional: true })]);
  const teacher: Entity = {
    name: 'teacher',
    readOnly: true,
    mirror: { table: 'contact', externalId: 'ext__c' },
    source: undefined,
    fields: [],
    parents: [],
  };
  const entities = byName(school, klass, lesson, teacher);

  it('follows each link up to the roots, reading what blocks at each level', () => {
    const chain = buildParentChain(
      lesson,
      'l1',
      keys({ klass: 'c1', teacher: 't1' }),
      entities,
      records({
        'klass c1': { rows: [row(7, null, 'FAILED')], parentKeys: keys({ school: 's1' }) },
        'school s1': { rows: [row(3, null, 'PENDING')], parentKeys: null },
        'teacher t1': { rows: [row(4, '003x')], parentKeys: null },
      }),
    );
    expect(shape(chain)).toEqual([
      ['klass', 'c1', 'failed', true, null, [['school', 's1', 'unsynced', true, null, []]]],
      ['teacher', 't1', 'ready', false, null, []],
    ]);
    expect(chain[0]).toMatchObject({ mirrorId: 7, sfid: null, lastop: 'FAILED' });
    expect(chain[1]).toMatchObject({ mirrorId: 4, sfid: '003x', optional: true });
    expect(blockingPath(chain).map((l) => `${l.entity} ${l.key}`)).toEqual([
      'klass c1',
      'school s1',
    ]);
  });

  it('shows the row with the sfid among twins', () => {
    const [parent] = buildParentChain(
      klass,
      'c1',
      keys({ school: 's1' }),
      entities,
      records({ 'school s1': { rows: [row(1, null), row(2, 'a02')], parentKeys: null } }),
    );
    expect(parent).toMatchObject({ state: 'ready', mirrorId: 2, sfid: 'a02' });
  });

  it('names no parent where the key is NULL: blocking unless optional', () => {
    const chain = buildParentChain(
      lesson,
      'l1',
      keys({ klass: null, teacher: null }),
      entities,
      records({}),
    );
    expect(shape(chain)).toEqual([
      ['klass', null, 'absent', true, null, []],
      ['teacher', null, 'absent', false, null, []],
    ]);
    expect(buildParentChain(lesson, 'l1', null, entities, records({})).map((l) => l.key)).toEqual([
      null,
      null,
    ]);
  });

  it('leaves a parent it has not read absent, without parents of its own', () => {
    const chain = buildParentChain(klass, 'c1', keys({ school: 's9' }), entities, records({}));
    expect(shape(chain)).toEqual([['school', 's9', 'absent', true, null, []]]);
    expect(blockingPath(chain)).toHaveLength(1);
  });

  it('never lets a deferred lookup block, and stops at a record already on the path', () => {
    const account = writable('account', [link('account', { deferred: true })]);
    const chain = buildParentChain(
      account,
      'a1',
      keys({ account: 'a2' }),
      byName(account),
      records({
        'account a2': { rows: [row(2, null)], parentKeys: keys({ account: 'a1' }) },
        'account a1': { rows: [row(1, null)], parentKeys: keys({ account: 'a2' }) },
      }),
    );
    expect(shape(chain)).toEqual([
      [
        'account',
        'a2',
        'unsynced',
        false,
        null,
        [['account', 'a1', 'unsynced', false, 'cycle', []]],
      ],
    ]);
    expect(blockingPath(chain)).toEqual([]);
  });

  it('stops past the depth bound, saying so', () => {
    const names = ['e0', 'e1', 'e2', 'e3', 'e4'];
    const chainOf = names.map((name, i) =>
      writable(name, i + 1 < names.length ? [link(names[i + 1]!)] : []),
    );
    const read = records(
      Object.fromEntries(
        names.slice(1).map((name, i) => [
          `${name} k`,
          {
            rows: [row(i, null)],
            parentKeys: names[i + 2] ? keys({ [names[i + 2]!]: 'k' }) : null,
          },
        ]),
      ),
    );
    const depth = (links: readonly ChainLink[]): string[] =>
      links.flatMap((l) => [`${l.entity}:${l.cut ?? '-'}`, ...depth(l.parents)]);
    const chain = buildParentChain(
      chainOf[0]!,
      'k',
      keys({ e1: 'k' }),
      byName(...chainOf),
      read,
      2,
    );
    expect(depth(chain)).toEqual(['e1:-', 'e2:depth']);
    const whole = buildParentChain(chainOf[0]!, 'k', keys({ e1: 'k' }), byName(...chainOf), read);
    expect(depth(whole)).toEqual(['e1:-', 'e2:-', 'e3:-', 'e4:-']);
  });

  it('gives classification the states of the record own links, absent ones left out', () => {
    const chain = buildParentChain(
      lesson,
      'l1',
      keys({ klass: 'c1', teacher: 't9' }),
      entities,
      records({ 'klass c1': { rows: [row(1, 'a01')], parentKeys: null } }),
    );
    expect(parentStates(chain)).toEqual(new Map([['klass', new Map([['c1', 'ready']])]]));
  });
});

const entry = (id: number, recordId: number, extra: Partial<LogEntry> = {}): LogEntry => ({
  table: '_trigger_log',
  id,
  recordId,
  action: 'INSERT',
  state: 'NEW',
  sfMessage: null,
  createdAt: new Date(`2026-01-01T0${id % 10}:00:00Z`),
  processedAt: null,
  ...extra,
});

describe('the trigger log as classification reads it', () => {
  it('gives the newest entry of each unsynced or FAILED row, over both logs', () => {
    const newest = newestEntries(
      [
        { id: 1, sfid: null, lastop: 'PENDING' },
        { id: 2, sfid: 'a02', lastop: 'FAILED' },
        { id: 3, sfid: 'a03', lastop: 'SYNCED' },
      ],
      [
        entry(5, 1, { table: '_trigger_log_archive', state: 'FAILED' }),
        entry(4, 1),
        entry(6, 2, { sfMessage: 'x' }),
        entry(7, 3),
      ],
    );
    expect([...newest.keys()]).toEqual([1, 2]);
    expect(newest.get(1)).toMatchObject({ id: 5, state: 'FAILED' });
    expect(newest.get(2)).toEqual({
      id: 6,
      createdAt: new Date('2026-01-01T06:00:00Z'),
      state: 'NEW',
      action: 'INSERT',
      sfMessage: 'x',
    });
  });

  it('tells when an unsynced parent was last written: latest, none logged, or not unsynced', () => {
    const rows = [
      { id: 1, sfid: null },
      { id: 2, sfid: null },
    ];
    // A row whose newest entry has no time counts for nothing, as max() in SQL.
    expect(
      unsyncedSince(rows, [entry(3, 1), entry(8, 2), entry(9, 2, { createdAt: null })]),
    ).toEqual(new Date('2026-01-01T03:00:00Z'));
    expect(unsyncedSince(rows, [entry(3, 1), entry(8, 2)])).toEqual(
      new Date('2026-01-01T08:00:00Z'),
    );
    expect(unsyncedSince(rows, [])).toBeNull();
    expect(unsyncedSince([{ id: 1, sfid: 'a01' }], [entry(3, 1)])).toBeUndefined();
  });
});

const NOW = new Date('2026-01-01T12:00:00Z');
const FK = 'Foreign key external ID: s1 not found for field Ext__c in entity School__c';

function mirrorRow(overrides: Partial<MirrorRow> = {}): MirrorRow {
  return {
    id: 1,
    sfid: null,
    lastop: 'PENDING',
    hcErr: null,
    key: 'k',
    fields: { name: 'A' },
    lookups: { school__r__ext__c: 's1' },
    log: { id: 1, createdAt: NOW, state: 'NEW', action: 'INSERT', sfMessage: null },
    ...overrides,
  };
}

const klass = writable('klass', [link('school')]);
const chainTo = (state: ChainLink['state']): ChainLink[] => [
  {
    ...link('school'),
    key: 's1',
    state,
    mirrorId: 9,
    sfid: state === 'ready' ? 'a09' : null,
    lastop: null,
    blocks: state !== 'ready',
    parents: [],
    cut: null,
  },
];

function input(overrides: Partial<VerdictInput> = {}): VerdictInput {
  return {
    entity: klass,
    key: 'k',
    source: {
      row: { key: 'k', fields: { name: 'A' }, parents: { school__r__ext__c: 's1' } },
      count: 1,
    },
    mirror: [mirrorRow()],
    parents: chainTo('ready'),
    deferredSince: new Map(),
    columns: new Map(),
    now: NOW,
    staleMs: 30 * 60_000,
    hasTriggerLog: true,
    policies: new Map(),
    attempts: undefined,
    maxAttempts: 5,
    readOnly: new Set(),
    ...overrides,
  };
}

describe('the verdict on one key', () => {
  it('is ok with nothing to do, and pending with how long the row has waited', () => {
    const ok = judgeRecord(input({ mirror: [mirrorRow({ sfid: 'a01', lastop: 'SYNCED' })] }));
    expect(ok).toMatchObject({ class: 'ok', error: null, nextStep: { action: 'none' } });
    expect(ok!.nextStep.reason).toBe('nothing to do');
    const young = mirrorRow({
      log: { ...mirrorRow().log!, createdAt: new Date(NOW.getTime() - 300_000) },
    });
    expect(judgeRecord(input({ mirror: [young] }))).toMatchObject({
      class: 'pending',
      reason: 'pending: no sfid yet, last written 5m ago (stuck after --stale 30m)',
      nextStep: { action: 'none' },
    });
    expect(judgeRecord(input({ hasTriggerLog: false }))!.reason).toBe(
      'pending: no sfid yet (the mirror has no trigger log to tell how long it has waited)',
    );
  });

  it('is pending for a synced row whose deferred lookup waits for its parent', () => {
    const deferred = writable('klass', [link('school', { deferred: true })]);
    const synced = mirrorRow({
      sfid: 'a01',
      lastop: 'SYNCED',
      lookups: { school__r__ext__c: null },
    });
    const verdict = judgeRecord(
      input({
        entity: deferred,
        mirror: [synced],
        parents: chainTo('unsynced'),
        deferredSince: new Map([['school', new Map([['s1', NOW]])]]),
      }),
    );
    expect(verdict).toMatchObject({ class: 'pending' });
    expect(verdict!.reason).toMatch(/^pending: a deferred lookup waits for its parent/);
  });

  it('re-inserts a row FAILED on a parent that is ready now', () => {
    const failed = mirrorRow({ lastop: 'FAILED', hcErr: FK });
    expect(judgeRecord(input({ mirror: [failed] }))).toMatchObject({
      class: 'failed',
      error: { code: 'FOREIGN_KEY_NOT_FOUND', policy: 'retry-after-parent', value: 's1' },
      nextStep: { action: 'reinsert' },
    });
  });

  it('defers it while the parent is not ready, and names the parent', () => {
    const failed = mirrorRow({ lastop: 'FAILED', hcErr: FK });
    expect(judgeRecord(input({ mirror: [failed], parents: chainTo('unsynced') }))).toMatchObject({
      class: 'missing_parent',
      parent: { entity: 'school', key: 's1', state: 'unsynced' },
      error: { code: 'FOREIGN_KEY_NOT_FOUND' },
      nextStep: {
        action: 'defer',
        reason: 'parent school s1 is unsynced: waits until the parent has an sfid',
      },
    });
  });

  it('applies the config policy to the error, and gives up after the attempts', () => {
    const failed = mirrorRow({ lastop: 'FAILED', hcErr: FK });
    const policies = new Map<HcErrorCode, ErrorPolicy>([['FOREIGN_KEY_NOT_FOUND', 'terminal']]);
    expect(judgeRecord(input({ mirror: [failed], policies }))).toMatchObject({
      error: { policy: 'terminal' },
      nextStep: { action: 'skip' },
    });
    expect(judgeRecord(input({ mirror: [failed], attempts: new Map([['k', 5]]) }))).toMatchObject({
      class: 'gave_up',
      nextStep: { action: 'skip' },
    });
  });

  it('is an orphan without a source row, and nothing on neither side', () => {
    expect(judgeRecord(input({ source: null }))).toMatchObject({
      class: 'orphan',
      nextStep: { action: 'skip' },
    });
    expect(judgeRecord(input({ source: null, mirror: [] }))).toBeNull();
    expect(judgeRecord(input({ mirror: [] }))).toMatchObject({
      class: 'absent',
      nextStep: { action: 'insert' },
    });
  });
});

describe('the error of a FAILED row', () => {
  it('reads _hc_err first, the newest log message when the column says nothing', () => {
    const log = { id: 1, createdAt: NOW, state: 'FAILED', action: 'INSERT', sfMessage: FK };
    expect(rowsError([mirrorRow({ lastop: 'FAILED', hcErr: null, log })], new Map())).toMatchObject(
      { code: 'FOREIGN_KEY_NOT_FOUND', statusCode: null, object: 'School__c' },
    );
    expect(
      rowsError(
        [mirrorRow({ lastop: 'FAILED', hcErr: 'REQUIRED_FIELD_MISSING: x', log })],
        new Map(),
      ),
    ).toMatchObject({ code: 'REQUIRED_FIELD_MISSING', statusCode: 'REQUIRED_FIELD_MISSING' });
    expect(rowsError([mirrorRow({ lastop: 'FAILED', log: null })], new Map())).toMatchObject({
      code: 'UNKNOWN',
      policy: 'unknown',
      message: 'FAILED with no error text in _hc_err or the trigger log',
    });
    expect(rowsError([mirrorRow({ lastop: 'SYNCED', hcErr: FK })], new Map())).toBeNull();
  });
});

describe('the exit of a story', () => {
  const story = (overrides: Partial<RecordStory>): RecordStory => ({
    entity: 'klass',
    key: 'k',
    readOnly: false,
    sourceTable: 'klass',
    mirrorTable: 'klass__c',
    source: null,
    mirror: [],
    triggerLog: [],
    verdict: null,
    journal: [],
    parents: [],
    attempts: null,
    readAt: NOW,
    ...overrides,
  });
  const verdict = judgeRecord(input())!;

  it('is fine for ok, pending and a read-only row; not for a mismatch or neither side', () => {
    const row = { ...mirrorRow(), systemmodstamp: null };
    expect(isFine(story({ mirror: [row], verdict }))).toBe(true);
    expect(isFine(story({ mirror: [row], verdict: { ...verdict, class: 'ok' } }))).toBe(true);
    expect(isFine(story({ mirror: [row], verdict: { ...verdict, class: 'drift' } }))).toBe(false);
    expect(isFine(story({ mirror: [row], readOnly: true }))).toBe(true);
    expect(isFine(story({}))).toBe(false);
    expect(onNeitherSide(story({}))).toBe(true);
    expect(onNeitherSide(story({ mirror: [row] }))).toBe(false);
  });
});
