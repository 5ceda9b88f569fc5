import { describe, expect, it } from 'vitest';
import { auditProgressReporter } from '../../src/cli/audit-progress.js';
import {
  countText,
  durationText,
  progressText,
  writeProgressText,
} from '../../src/core/progress/progress-text.js';

const state = { label: 'lesson', unit: 'keys compared', estimated: true, elapsedMs: 40_000 };

describe('progress lines', () => {
  it('counts against the total with the share and the time left', () => {
    expect(progressText({ ...state, done: 412_000, total: 1_000_000 })).toBe(
      'lesson: 412,000 / ~1,000,000 keys compared (41%, about 57s left)',
    );
    expect(progressText({ ...state, done: 500, total: 1_000, estimated: false })).toBe(
      'lesson: 500 / 1,000 keys compared (50%, about 40s left)',
    );
  });

  it('says no more than it knows: no total, too early, or past an estimate', () => {
    expect(progressText({ ...state, done: 12_345, total: null })).toBe(
      'lesson: 12,345 keys compared',
    );
    expect(progressText({ ...state, done: 5, total: 1_000_000 })).toBe(
      'lesson: 5 / ~1,000,000 keys compared',
    );
    expect(progressText({ ...state, done: 500, total: 1_000, elapsedMs: 200 })).toBe(
      'lesson: 500 / ~1,000 keys compared',
    );
    expect(progressText({ ...state, done: 1_000_100, total: 1_000_000 })).toBe(
      'lesson: 1,000,100 keys compared',
    );
  });

  it('durations read as people say them', () => {
    expect(durationText(0)).toBe('1s');
    expect(durationText(45_400)).toBe('45s');
    expect(durationText(185_000)).toBe('3m 05s');
    expect(durationText(7_800_000)).toBe('2h 10m');
  });

  it('writes go batch by batch, the time left from the rate so far', () => {
    const write = { entity: 'school', batchSize: 500, elapsedMs: 60_000 };
    expect(writeProgressText({ ...write, before: 0, after: 500, expected: 100_000 })).toBe(
      'school: batch 1/200 (1–500 of ~100,000 changes)',
    );
    expect(writeProgressText({ ...write, before: 18_000, after: 18_500, expected: 100_000 })).toBe(
      'school: batch 37/200 (18,001–18,500 of ~100,000 changes, 18%, about 4m 33s left)',
    );
    // The plan found more than the preview: the total grows, never the batch past it.
    expect(writeProgressText({ ...write, before: 900, after: 1_200, expected: 1_000 })).toBe(
      'school: batch 3/3 (901–1,200 of ~1,200 changes, 75%, about 20s left)',
    );
  });

  it('the audit reporter times each phase from its own start', () => {
    const lines: string[] = [];
    let clock = 0;
    const report = auditProgressReporter(
      {
        update: (text) => lines.push(text),
        succeed: (text) => lines.push(`done ${text}`),
        stop: () => undefined,
      },
      () => clock,
    );
    const event = { entity: 'lesson', done: false } as const;
    report({ ...event, phase: 'summary', rows: 0, total: 4_000 });
    clock = 10_000;
    report({ ...event, phase: 'summary', rows: 1_000, total: 4_000 });
    report({ ...event, phase: 'details', rows: 0, total: 20 });
    clock = 12_000;
    report({ ...event, phase: 'details', rows: 10, total: 20 });
    report({ entity: 'lesson', phase: 'done', rows: 4_000, total: null, done: true });
    expect(lines).toEqual([
      'lesson: comparing ~4,000 keys',
      'lesson: 1,000 / ~4,000 keys compared (25%, about 30s left)',
      'lesson: 0 / 20 suspect keys read',
      'lesson: 10 / 20 suspect keys read (50%, about 2s left)',
      'done lesson: 4,000 keys',
    ]);
  });
});

describe('countText', () => {
  it('groups digits in threes as en-US does, without loading ICU', () => {
    const cases = [0, 7, 999, 1_000, 12_345, 999_999, 1_000_000, 123_456_789, 2 ** 53, -1_234_567];
    for (const n of cases) expect(countText(n)).toBe(n.toLocaleString('en-US'));
    expect(countText(1_234.6)).toBe('1,235');
    expect(countText(999.5)).toBe('1,000');
    // Past what String() writes without an exponent: what toLocaleString writes.
    for (const n of [1e21, -1e22, Number.POSITIVE_INFINITY, Number.NaN])
      expect(countText(n)).toBe(n.toLocaleString('en-US'));
  });
});
