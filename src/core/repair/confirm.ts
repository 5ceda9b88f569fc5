import type { HcErrorCode } from '../connect/error-taxonomy.js';
import { parseHcError } from '../connect/hc-error.js';

/**
 * What became of a row sfsync wrote, once Connect had its say: `confirmed` (the mirror row has an
 * sfid and the newest trigger-log entry for it says SUCCESS), `failed_again` (FAILED, with the new
 * code) or `unconfirmed` (still pending when the wait ended, or the row is gone). Heroku Connect's
 * own bookkeeping is not taken on trust: a SUCCESS without an sfid is not a landing.
 */
export const OUTCOMES = ['confirmed', 'failed_again', 'unconfirmed'] as const;
export type Outcome = (typeof OUTCOMES)[number];

/** Journal actions whose row goes to Salesforce, and so has an outcome. */
export const SENT_ACTIONS: readonly string[] = ['insert', 'update', 'recapture'];

/** The written row as it is now: its mirror row by id, and the newest trigger-log entry for it. */
export interface WrittenRow {
  /** False when the mirror row is gone. */
  readonly present: boolean;
  readonly sfid: string | null;
  readonly lastop: string | null;
  readonly hcErr: string | null;
  /** The newest `_trigger_log`/`_trigger_log_archive` entry's state and message; null: none. */
  readonly logState: string | null;
  readonly logMessage: string | null;
  /** Whether the mirror has Connect's trigger log at all. */
  readonly hasTriggerLog: boolean;
}

export interface Settled {
  readonly outcome: Outcome;
  /** failed_again: the parsed code of the new failure. */
  readonly code: HcErrorCode | null;
}

const LANDED_LASTOPS: ReadonlySet<string> = new Set(['SYNCED', 'INSERTED', 'UPDATED']);

/**
 * The outcome of a written row, or null while it is still on its way and `final` is false (a
 * later run settles it). `final`: the wait is over, so a row still pending is unconfirmed.
 */
export function settle(row: WrittenRow, final: boolean): Settled | null {
  if (!row.present) return { outcome: 'unconfirmed', code: null };
  if (row.lastop === 'FAILED' || row.logState === 'FAILED') {
    const text = row.hcErr ?? row.logMessage;
    return { outcome: 'failed_again', code: parseHcError(text)?.code ?? 'UNKNOWN' };
  }
  if (row.sfid !== null && landed(row)) return { outcome: 'confirmed', code: null };
  return final ? { outcome: 'unconfirmed', code: null } : null;
}

/**
 * Salesforce has the row: its newest trigger-log entry says SUCCESS. Without a trigger log (or
 * once its entries were purged), the read-back Connect writes is the only word left: lastop
 * SYNCED, INSERTED or UPDATED.
 */
function landed(row: WrittenRow): boolean {
  if (row.hasTriggerLog && row.logState !== null) return row.logState === 'SUCCESS';
  return row.lastop !== null && LANDED_LASTOPS.has(row.lastop);
}

/** Outcome counts of a run's writes (or of earlier runs'); `pending`: not settled yet. */
export interface OutcomeCounts {
  confirmed: number;
  failed_again: number;
  unconfirmed: number;
  pending: number;
}

export function noOutcomes(): OutcomeCounts {
  return { confirmed: 0, failed_again: 0, unconfirmed: 0, pending: 0 };
}
