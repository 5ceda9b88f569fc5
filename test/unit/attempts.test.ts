import { describe, expect, it } from 'vitest';
import {
  attemptsSoFar,
  DEFAULT_ATTEMPTS,
  gateAttempt,
  nextAttemptAt,
  type AttemptRecord,
} from '../../src/core/repair/attempts.js';
import type { ActionKind, PlannedAction } from '../../src/core/repair/plan.js';

const HOUR = 3_600_000;
const AT = new Date('2026-12-06T12:00:00Z');
const later = (ms: number) => new Date(AT.getTime() + ms);
const settings = { maxAttempts: 3, backoffMs: [HOUR, 4 * HOUR] };

function resend(kind: ActionKind = 'reinsert', changed = false): PlannedAction {
  return {
    entity: 'school',
    key: 'k',
    action: kind,
    class: 'failed',
    reason: 'UNABLE_TO_LOCK_ROW (retry-now): delete the sfid-NULL FAILED row, insert it again',
    code: 'UNABLE_TO_LOCK_ROW',
    mirrorId: 7,
    deleteIds: [],
    columns: [],
    changes: changed ? [{ column: 'name', source: 'New', mirror: 'Old' }] : [],
    blockedBy: null,
  };
}
const record = (attempts: number): AttemptRecord => ({
  attempts,
  lastAttemptAt: AT,
  lastCode: 'UNABLE_TO_LOCK_ROW',
});

describe('attempts of a FAILED row', () => {
  it('the default is 5 attempts, 1 h, 4 h and 24 h apart', () => {
    expect(DEFAULT_ATTEMPTS).toEqual({ maxAttempts: 5, backoffMs: [HOUR, 4 * HOUR, 24 * HOUR] });
  });

  it('waits the backoff of the attempts made; the last wait repeats', () => {
    expect(nextAttemptAt(1, AT, settings)).toEqual(later(HOUR));
    expect(nextAttemptAt(2, AT, settings)).toEqual(later(4 * HOUR));
    expect(nextAttemptAt(7, AT, settings)).toEqual(later(4 * HOUR));
  });

  it('counts nothing for a first send, or once the source changed since the failure', () => {
    expect(attemptsSoFar(resend(), undefined)).toBe(0);
    expect(attemptsSoFar(resend('reinsert', true), record(3))).toBe(0);
    expect(attemptsSoFar(resend(), record(2))).toBe(2);
  });

  it('lets a re-send go when its backoff is over, holds it until then, exactly at the edge', () => {
    expect(gateAttempt(resend(), undefined, settings, AT)).toBeNull();
    expect(gateAttempt(resend(), record(1), settings, later(HOUR))).toBeNull();
    const held = gateAttempt(resend('recapture'), record(1), settings, later(HOUR - 1));
    expect(held).toMatchObject({ action: 'defer', status: 'deferred', detail: null });
    expect(held!.reason).toBe(
      'UNABLE_TO_LOCK_ROW (retry-now): delete the sfid-NULL FAILED row, insert it again; ' +
        'attempt 2 of 3 not before 2026-12-06 13:00:00 UTC (backoff)',
    );
    expect(gateAttempt(resend(), record(2), settings, later(4 * HOUR - 1))!.reason).toContain(
      'attempt 3 of 3 not before 2026-12-06 16:00:00 UTC',
    );
  });

  it('gives up at the last attempt, whatever the time, until the source changes', () => {
    const given = gateAttempt(resend(), record(3), settings, later(1000 * HOUR));
    expect(given).toMatchObject({ action: 'skip', status: 'skipped' });
    expect(given!.reason).toBe(
      'gave up after 3 attempts (the last at 2026-12-06 12:00:00 UTC, UNABLE_TO_LOCK_ROW): ' +
        're-sent once the source row changes, or after repair --reset-attempts',
    );
    expect(gateAttempt(resend('reinsert', true), record(3), settings, AT)).toBeNull();
  });

  it('never holds what is not a re-send', () => {
    for (const kind of ['insert', 'update', 'dedupe', 'skip', 'defer'] as const)
      expect(gateAttempt(resend(kind), record(9), settings, AT)).toBeNull();
  });
});
