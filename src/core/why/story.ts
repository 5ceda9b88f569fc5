import type { FieldDrift, MirrorRow, Mismatch, RowClass, SourceRow } from '../audit/types.js';
import type { ErrorPolicy, HcErrorCode } from '../connect/error-taxonomy.js';
import type { ErrorDetails } from '../connect/error-messages.js';
import type { ActionKind } from '../repair/plan.js';
import type { ChainLink } from './parent-chain.js';

// `sfsync why ENTITY KEY`: everything the databases know of one record, gathered in one read-only
// snapshot per database, and what audit and repair make of it. render/why.ts documents the JSON.

/** One `_trigger_log` or `_trigger_log_archive` entry of a mirror row. */
export interface LogEntry {
  readonly table: '_trigger_log' | '_trigger_log_archive';
  readonly id: number;
  /** The mirror row's `id`. */
  readonly recordId: number;
  readonly action: string | null;
  readonly state: string | null;
  readonly sfMessage: string | null;
  readonly createdAt: Date | null;
  readonly processedAt: Date | null;
}

/** A mirror row as the audit reads it, with Connect's last-modified stamp beside it. */
export interface StoryMirrorRow extends MirrorRow {
  /** null when the row has none, or the table has no such column. */
  readonly systemmodstamp: Date | null;
}

/** The error a FAILED row carries, parsed, with the policy repair applies to its code. */
export interface StoryError extends ErrorDetails {
  readonly code: HcErrorCode;
  /** Salesforce's own status code, when the text carried one. */
  readonly statusCode: string | null;
  readonly message: string;
  readonly policy: ErrorPolicy;
  readonly hint: string | null;
}

/** What repair would do with the record now, and why (core/repair/plan.ts); `none` when in sync. */
export interface NextStep {
  readonly action: ActionKind | 'none';
  readonly reason: string;
}

/** The audit's classification of the key, as `sfsync audit` would report it. */
export interface Verdict {
  readonly class: RowClass;
  readonly reason: string;
  readonly hint: string | null;
  readonly error: StoryError | null;
  /** The parent that holds the row back (missing_parent). */
  readonly parent: Mismatch['parent'];
  /** Drift, or what the source changed since a failure. */
  readonly fields: readonly FieldDrift[];
  readonly nextStep: NextStep;
}

/** A change sfsync made to this record (sfsync.journal), with the run that made it. */
export interface JournalAction {
  readonly id: number;
  readonly runId: string;
  readonly command: string;
  readonly runStartedAt: Date;
  /** As `sfsync journal` shows it: `abandoned` for a running run whose lock is gone. */
  readonly runStatus: string;
  readonly action: string;
  readonly mirrorId: number | null;
  readonly before: Record<string, unknown> | null;
  readonly after: Record<string, unknown> | null;
  readonly at: Date;
  /** confirmed, failed_again, unconfirmed, or null (not settled, or a schema from before). */
  readonly outcome: string | null;
  readonly outcomeCode: string | null;
}

/** What sfsync.attempts remembers of a record, and what it means for the next repair. */
export interface StoryAttempts {
  readonly attempts: number;
  readonly maxAttempts: number;
  readonly lastAttemptAt: Date;
  /** The code the row had failed with when it was last re-sent. */
  readonly lastCode: string | null;
  /** The source row changed since the failure: the next re-send starts the count again. */
  readonly startsAgain: boolean;
  /** Re-sends used up: no more until the source row changes or --reset-attempts. */
  readonly gaveUp: boolean;
  /** When the backoff lets repair re-send it; null when it starts again or has given up. */
  readonly nextAttemptAt: Date | null;
}

export interface RecordStory {
  readonly entity: string;
  readonly key: string;
  readonly readOnly: boolean;
  /** The source table as the config names it; null for a read-only entity. */
  readonly sourceTable: string | null;
  readonly mirrorTable: string;
  /** The (first) source row with this key and how many carry it; null when none does. */
  readonly source: { readonly row: SourceRow; readonly count: number } | null;
  readonly mirror: readonly StoryMirrorRow[];
  /** Every entry of the mirror rows, by id; null when the mirror has no trigger log at all. */
  readonly triggerLog: readonly LogEntry[] | null;
  /** null for a read-only entity (never classified), or a key on neither side. */
  readonly verdict: Verdict | null;
  /** Oldest first; empty when sfsync never wrote to this mirror (no sfsync schema). */
  readonly journal: readonly JournalAction[];
  /** Each parent link of the entity, with its own parents up to the roots. */
  readonly parents: readonly ChainLink[];
  /** Repair's re-sends of this record (sfsync.attempts); null: none recorded, or unreadable. */
  readonly attempts: StoryAttempts | null;
  /** The mirror server's clock when the story was read. */
  readonly readAt: Date;
}

/** Whether the record is fine (0), a mismatch (1), or on neither side (1). */
export function isFine(story: RecordStory): boolean {
  if (story.source === null && story.mirror.length === 0) return false;
  if (story.verdict === null) return true;
  return story.verdict.class === 'ok' || story.verdict.class === 'pending';
}

/** The record is on neither side: nothing to tell but that. */
export function onNeitherSide(story: RecordStory): boolean {
  return story.source === null && story.mirror.length === 0;
}
