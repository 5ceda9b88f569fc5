import { utc } from '../time-text.js';
import type { PlannedAction } from './plan.js';
import type { ActionResult } from './result.js';

/**
 * How often repair re-sends one FAILED row (sfsync.attempts remembers it across runs): after
 * `maxAttempts` re-sends of the same values it gives up, and between two it waits the backoff.
 * Heroku Connect never retries a failed write; this is the retry it lacks, bounded.
 */
export interface AttemptSettings {
  readonly maxAttempts: number;
  /** The wait after the 1st, 2nd, … attempt; the last applies to every later one. */
  readonly backoffMs: readonly number[];
}

const HOUR = 3_600_000;
export const DEFAULT_ATTEMPTS: AttemptSettings = {
  maxAttempts: 5,
  backoffMs: [HOUR, 4 * HOUR, 24 * HOUR],
};

/** What sfsync.attempts holds for one entity and key. */
export interface AttemptRecord {
  readonly attempts: number;
  readonly lastAttemptAt: Date;
  /** The code the row had failed with when it was last re-sent. */
  readonly lastCode: string | null;
}

/** The actions a record counts: re-sends of a FAILED row. */
export const RESENDS: ReadonlySet<PlannedAction['action']> = new Set(['reinsert', 'recapture']);

/**
 * The attempts that count for this re-send: none when the source row changed since the failure
 * (the fix arrived, `changes` lists it), so the story starts again; else the record's.
 */
export function attemptsSoFar(action: PlannedAction, record: AttemptRecord | undefined): number {
  if (!record || action.changes.length > 0) return 0;
  return record.attempts;
}

/** When the next attempt may be made after `attempts` of them, the last at `lastAttemptAt`. */
export function nextAttemptAt(
  attempts: number,
  lastAttemptAt: Date,
  settings: AttemptSettings,
): Date {
  const waits = settings.backoffMs;
  const wait = waits[Math.min(attempts, waits.length) - 1] ?? 0;
  return new Date(lastAttemptAt.getTime() + wait);
}

/**
 * Null when a planned re-send may go ahead now; otherwise its result: a skip once the row has
 * used its attempts (given up: reported, until its source row changes or --reset-attempts), a
 * deferral while its backoff runs.
 */
export function gateAttempt(
  action: PlannedAction,
  record: AttemptRecord | undefined,
  settings: AttemptSettings,
  now: Date,
): ActionResult | null {
  if (!RESENDS.has(action.action)) return null;
  const attempts = attemptsSoFar(action, record);
  if (attempts === 0) return null;
  const last = record!;
  if (attempts >= settings.maxAttempts)
    return {
      ...action,
      action: 'skip',
      status: 'skipped',
      detail: null,
      reason:
        `gave up after ${attempts} attempts (the last at ${utc(last.lastAttemptAt)}, ` +
        `${last.lastCode ?? 'no code'}): re-sent once the source row changes, ` +
        'or after repair --reset-attempts',
    };
  const next = nextAttemptAt(attempts, last.lastAttemptAt, settings);
  if (now.getTime() >= next.getTime()) return null;
  return {
    ...action,
    action: 'defer',
    status: 'deferred',
    detail: null,
    reason:
      `${action.reason}; attempt ${attempts + 1} of ${settings.maxAttempts} ` +
      `not before ${utc(next)} (backoff)`,
  };
}
