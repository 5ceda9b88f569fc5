import { describe, expect, it } from 'vitest';
import type { ChainLink } from '../../src/core/why/parent-chain.js';
import type { RecordStory, StoryMirrorRow, Verdict } from '../../src/core/why/story.js';
import { storyAttempts } from '../../src/core/why/attempts.js';
import { renderWhyJson, renderWhyTable } from '../../src/render/why.js';

const AT = new Date('2026-01-01T12:00:00Z');

const mirrorRow = (overrides: Partial<StoryMirrorRow> = {}): StoryMirrorRow => ({
  id: 4,
  sfid: 'a0A000000000004AAA',
  lastop: 'SYNCED',
  hcErr: null,
  key: 'k1',
  fields: { name: 'Old', createdat__c: AT },
  lookups: { school__r__ext__c: 's1' },
  log: null,
  systemmodstamp: AT,
  ...overrides,
});

const verdict: Verdict = {
  class: 'drift',
  reason: '1 field differs: name',
  hint: null,
  error: null,
  parent: null,
  fields: [{ column: 'name', source: 'New', mirror: 'Old' }],
  nextStep: { action: 'update', reason: 'update name' },
};

const school = (overrides: Partial<ChainLink> = {}): ChainLink => ({
  entity: 'school',
  column: 'school_id',
  lookup: 'school__r__ext__c',
  optional: false,
  deferred: false,
  key: 's1',
  state: 'ready',
  mirrorId: 1,
  sfid: 'a00000000000001AAA',
  lastop: 'SYNCED',
  blocks: false,
  parents: [],
  cut: null,
  ...overrides,
});

const story = (overrides: Partial<RecordStory> = {}): RecordStory => ({
  entity: 'klass',
  key: 'k1',
  readOnly: false,
  sourceTable: 'klasses',
  mirrorTable: 'klass__c',
  source: {
    row: {
      key: 'k1',
      fields: { name: 'New', createdat__c: AT },
      parents: { school__r__ext__c: 's1' },
    },
    count: 1,
  },
  mirror: [mirrorRow()],
  triggerLog: [
    {
      table: '_trigger_log_archive',
      id: 17,
      recordId: 4,
      action: 'UPDATE',
      state: 'SUCCESS',
      sfMessage: null,
      createdAt: AT,
      processedAt: null,
    },
  ],
  verdict,
  journal: [
    {
      id: 3,
      runId: '0a1b2c3d-0000-4000-8000-000000000000',
      command: 'repair',
      runStartedAt: AT,
      runStatus: 'done',
      action: 'update',
      mirrorId: 4,
      before: { name: 'Older', _hc_lastop: 'SYNCED' },
      after: { name: 'Old', _hc_lastop: 'PENDING' },
      at: AT,
      outcome: 'confirmed',
      outcomeCode: null,
    },
  ],
  parents: [school({ parents: [school({ entity: 'account', key: 'a1', cut: 'depth' })] })],
  attempts: null,
  readAt: AT,
  ...overrides,
});

describe('why as JSON', () => {
  it('has every documented key, values as JSON, dates as ISO 8601', () => {
    const doc = JSON.parse(renderWhyJson(story()));
    expect(doc).toMatchObject({
      tool: 'sfsync',
      command: 'why',
      readAt: '2026-01-01T12:00:00.000Z',
      found: { source: true, mirror: true },
      source: { table: 'klasses', rows: 1, fields: { createdat__c: '2026-01-01T12:00:00.000Z' } },
      mirror: { table: 'klass__c', rows: [{ id: 4, systemmodstamp: '2026-01-01T12:00:00.000Z' }] },
      triggerLog: [{ table: '_trigger_log_archive', processedAt: null }],
      classification: { class: 'drift', error: null, nextStep: { action: 'update' } },
      journal: [{ runStartedAt: '2026-01-01T12:00:00.000Z', outcome: 'confirmed' }],
      parents: [{ entity: 'school', parents: [{ entity: 'account', cut: 'depth', parents: [] }] }],
      blockedBy: [],
      attempts: null,
    });
    expect(doc.mirror.rows[0]).not.toHaveProperty('log');
  });

  it('gives an error every key, null or empty where the text had none', () => {
    const failed: Verdict = {
      ...verdict,
      class: 'failed',
      error: {
        code: 'UNKNOWN',
        statusCode: null,
        message: 'boom',
        policy: 'unknown',
        hint: 'look',
      },
    };
    const doc = JSON.parse(renderWhyJson(story({ verdict: failed })));
    expect(doc.classification.error).toEqual({
      code: 'UNKNOWN',
      statusCode: null,
      message: 'boom',
      field: null,
      fields: [],
      value: null,
      object: null,
      duplicateOf: null,
      policy: 'unknown',
      hint: 'look',
    });
  });

  it('says what blocks, from the record up to where to start', () => {
    const blocked = [
      school({
        state: 'unsynced',
        blocks: true,
        parents: [school({ entity: 'account', key: 'a1', state: 'absent', blocks: true })],
      }),
    ];
    const doc = JSON.parse(renderWhyJson(story({ parents: blocked })));
    expect(doc.blockedBy).toEqual([
      { entity: 'school', key: 's1', state: 'unsynced' },
      { entity: 'account', key: 'a1', state: 'absent' },
    ]);
    expect(renderWhyTable(story({ parents: blocked }))).toContain(
      'start with: account a1 (absent)',
    );
  });
});

describe('why as a table', () => {
  it('puts the class and next step first, then both sides, the log, the journal, parents', () => {
    const text = renderWhyTable(story(), 100);
    expect(text.split('\n').slice(0, 3)).toEqual([
      'klass k1: drift',
      '1 field differs: name',
      'next step: update — update name',
    ]);
    expect(text).toMatch(/│ name ≠ +│ "New" +│ "Old" +│/);
    expect(text).toMatch(/│ school__r__ext__c +│ "s1" +│ "s1" +│/);
    expect(text).toMatch(
      /│ 17 +│ UPDATE +│ 2026-01-01 12:00:00 UTC +│ +│\n│ archive +│ SUCCESS +│ → — /,
    );
    expect(text).toMatch(/│ 0a1b2c3d +│ repair +│/);
    expect(text).toContain('name: "Older" → "Old"');
    expect(text).toContain('→ confirmed');
    expect(text).toMatch(/│ · account +│ a1 +│ ready \(a00000000000001AAA\) +│ deeper parents not/);
  });

  it.each([60, 80, 120])('fits %i columns, two mirror rows and long texts included', (width) => {
    const long = 'x '.repeat(400);
    const text = renderWhyTable(
      story({
        mirror: [mirrorRow({ hcErr: long, lastop: 'FAILED' }), mirrorRow({ id: 5 })],
        verdict: { ...verdict, reason: long },
      }),
      width,
    );
    expect(text.split('\n').filter((line) => [...line].length > width)).toEqual([]);
  });

  it('says in a line which side has no row, and when the mirror has no trigger log', () => {
    const text = renderWhyTable(story({ source: null, triggerLog: null }));
    expect(text).toContain('source: no row of klasses has this key');
    expect(text).toContain('trigger log: the mirror has no _trigger_log or _trigger_log_archive');
    expect(text).not.toMatch(/│ Source/);
    const empty = renderWhyTable(story({ triggerLog: [], journal: [] }));
    expect(empty).toContain('trigger log: no entries for these rows');
    expect(empty).toContain('journal: sfsync has not changed this record');
  });

  it('says a read-only record is not classified, and a key on neither side in one line', () => {
    const readOnly = renderWhyTable(
      story({ readOnly: true, sourceTable: null, source: null, verdict: null, parents: [] }),
    );
    expect(readOnly.split('\n')[0]).toBe(
      'klass k1: read-only mapping (Connect fills it from Salesforce; the audit counts it, never ' +
        'classifies it)',
    );
    expect(readOnly).not.toContain('source: no row');
    expect(readOnly).not.toContain('parents:');
    expect(renderWhyTable(story({ source: null, mirror: [], verdict: null }))).toBe(
      'klass k1: neither the source (klasses) nor the mirror (klass__c) has this key\n',
    );
  });
});

describe('why: repair re-sends of the record', () => {
  const settings = { maxAttempts: 3, backoffMs: [3_600_000, 4 * 3_600_000] };
  const record = (attempts: number) => ({
    attempts,
    lastAttemptAt: AT,
    lastCode: 'UNABLE_TO_LOCK_ROW',
  });

  it('gives the backoff of the attempt made, given up at the maximum, afresh on a change', () => {
    expect(storyAttempts(undefined, settings, false)).toBeNull();
    expect(storyAttempts(record(1), settings, false)?.nextAttemptAt).toEqual(
      new Date('2026-01-01T13:00:00Z'),
    );
    expect(storyAttempts(record(2), settings, false)).toMatchObject({
      gaveUp: false,
      nextAttemptAt: new Date('2026-01-01T16:00:00Z'),
    });
    expect(storyAttempts(record(3), settings, false)).toMatchObject({
      gaveUp: true,
      nextAttemptAt: null,
    });
    expect(storyAttempts(record(3), settings, true)).toMatchObject({
      startsAgain: true,
      gaveUp: false,
      nextAttemptAt: null,
    });
  });

  it('keeps the count of a record that landed since, with no re-send pending or given up', () => {
    expect(storyAttempts(record(2), settings, false, true)).toEqual({
      attempts: 2,
      maxAttempts: 3,
      lastAttemptAt: AT,
      lastCode: 'UNABLE_TO_LOCK_ROW',
      startsAgain: false,
      gaveUp: false,
      nextAttemptAt: null,
    });
    expect(storyAttempts(record(3), settings, false, true)).toMatchObject({
      gaveUp: false,
      nextAttemptAt: null,
    });
  });

  it('says them in the headline, while failing with the backoff, and as JSON', () => {
    const waiting = storyAttempts(record(2), settings, false);
    const failed = { ...verdict, class: 'failed' as const };
    const text = renderWhyTable(story({ attempts: waiting, verdict: failed }), 140);
    expect(text).toContain(
      'attempts: 2 of 3 re-sends, the last at 2026-01-01 12:00:00 UTC (UNABLE_TO_LOCK_ROW); ' +
        'next allowed at 2026-01-01 16:00:00 UTC',
    );
    // A row no longer failing has nothing held back by the backoff.
    expect(renderWhyTable(story({ attempts: waiting }), 140)).toContain(
      '(UNABLE_TO_LOCK_ROW); not failing now',
    );
    const gaveUp = renderWhyTable(
      story({ attempts: storyAttempts(record(3), settings, false), verdict: failed }),
      200,
    );
    expect(gaveUp).toContain('given up: re-sent once the source row changes');
    expect(JSON.parse(renderWhyJson(story({ attempts: waiting }))).attempts).toEqual({
      attempts: 2,
      maxAttempts: 3,
      lastAttemptAt: '2026-01-01T12:00:00.000Z',
      lastCode: 'UNABLE_TO_LOCK_ROW',
      startsAgain: false,
      gaveUp: false,
      nextAttemptAt: '2026-01-01T16:00:00.000Z',
    });
    expect(renderWhyTable(story())).not.toContain('attempts:');
  });
});
