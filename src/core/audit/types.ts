import type { ErrorPolicy, HcErrorCode } from '../connect/error-taxonomy.js';
import type { HcError } from '../connect/hc-error.js';
import type { CostEstimate } from '../methods/checksum-costs.js';

/**
 * Classes that are mismatches, in the order classification tries them (orphan is found from the
 * mirror side).
 */
export const MISMATCH_CLASSES = [
  'source_duplicate',
  'duplicate',
  'missing_parent',
  'failed',
  'gave_up',
  'absent',
  'stuck',
  'drift',
  'orphan',
] as const;
export type MismatchClass = (typeof MISMATCH_CLASSES)[number];
export type RowClass = 'ok' | 'pending' | MismatchClass;
export const ROW_CLASSES: readonly RowClass[] = [
  'ok',
  'pending',
  'absent',
  'missing_parent',
  'failed',
  'gave_up',
  'stuck',
  'drift',
  'duplicate',
  'orphan',
  'source_duplicate',
];

/** A source row as the audit reads it: its key, mapped field values, and each parent's key. */
export interface SourceRow {
  readonly key: string;
  /** By mirror column. */
  readonly fields: Readonly<Record<string, unknown>>;
  /** By lookup column (the parent's external ID as text); null when the source column is NULL. */
  readonly parents: Readonly<Record<string, string | null>>;
}

/** The newest `_trigger_log`/`_trigger_log_archive` entry for a mirror row. */
export interface TriggerLogEntry {
  readonly id: number;
  readonly createdAt: Date | null;
  readonly state: string | null;
  readonly action: string | null;
  readonly sfMessage: string | null;
}

export interface MirrorRow {
  readonly id: number;
  readonly sfid: string | null;
  readonly lastop: string | null;
  readonly hcErr: string | null;
  readonly key: string;
  /** By mirror column. */
  readonly fields: Readonly<Record<string, unknown>>;
  /** Lookup column values, by lookup column. */
  readonly lookups: Readonly<Record<string, string | null>>;
  readonly log: TriggerLogEntry | null;
}

/**
 * How far a parent's mirror row is from letting a child reference it. Absent parents are not in the
 * map.
 */
export const PARENT_READINESS = ['ready', 'unsynced', 'failed'] as const;
export type ParentReadiness = (typeof PARENT_READINESS)[number];
export const PARENT_STATES = [...PARENT_READINESS, 'absent'] as const;
export type ParentState = (typeof PARENT_STATES)[number];

export interface MirrorSnapshot {
  readonly id: number;
  readonly sfid: string | null;
  readonly lastop: string | null;
  readonly hcErr: string | null;
}

export interface FieldDrift {
  readonly column: string;
  readonly source: unknown;
  readonly mirror: unknown;
}

/** The parsed error as the audit reports it: HcError without the code (reported beside it). */
export type ParsedErrorDetail = Omit<HcError, 'code' | 'statusCode'> & {
  readonly statusCode: string | null;
};

export interface Mismatch {
  readonly key: string;
  readonly class: MismatchClass;
  readonly code: HcErrorCode | null;
  /** What the code means for repair (core/connect/error-taxonomy.ts); null without a code. */
  readonly policy: ErrorPolicy | null;
  /** True when deleting the sfid-NULL row and inserting it again can succeed now. */
  readonly repairable: boolean;
  readonly reason: string;
  readonly hint: string | null;
  readonly error: ParsedErrorDetail | null;
  /** The (first) mirror row carrying the key, or null when there is none. */
  readonly mirror: MirrorSnapshot | null;
  /** Every mirror row carrying the key, for duplicates. */
  readonly rows: readonly MirrorSnapshot[] | null;
  readonly parent: {
    readonly entity: string;
    readonly key: string | null;
    readonly state: ParentState;
  } | null;
  readonly fields: readonly FieldDrift[];
  /** Age of the newest trigger-log entry, for unsynced rows. */
  readonly ageSeconds: number | null;
  /** source_duplicate: how many source rows carry the key. */
  readonly sourceRows: number | null;
}

/**
 * An entity's mismatches in key order: an array, or (a CLI audit past a few thousand) a list
 * spilled to a temporary file and read back on each pass, so memory does not grow with them.
 */
export interface Mismatches extends Iterable<Mismatch> {
  readonly length: number;
}

/**
 * How an entity's two sides were compared: `stream` (both summaries streamed
 * and merged here), `join` (in the database, both schemas in one), `checksum`
 * (segments compared by checksum, rows streamed only where they differ), or
 * `count` (a read-only mapping: its rows are counted, nothing compared).
 */
export const AUDIT_METHODS = ['stream', 'checksum', 'join'] as const;

/** `audit --concurrency`: more sessions than this only queue up on the servers. */
export const MAX_AUDIT_CONCURRENCY = 16;
export type AuditMethod = (typeof AUDIT_METHODS)[number];
/**
 * What an entity's report says of its method: a compared one, `count` (read-only), or `mixed` (a
 * merge of shards that differed).
 */
export const ENTITY_METHODS = [...AUDIT_METHODS, 'count', 'mixed'] as const;

/** Why an entity was compared as it was (`--verbose`, the JSON report's `methodChoice`). */
export interface MethodWhy {
  /** One line. */
  readonly reason: string;
  /** The checksum's sampled estimate of both methods' costs, when it took one. */
  readonly estimate?: Omit<CostEstimate, 'reason'>;
}

export interface EntityAudit {
  readonly name: string;
  /** How the sides were compared; `mixed` in a merge of shards that compared them differently. */
  readonly method: (typeof ENTITY_METHODS)[number];
  /** Why that method; null for read-only entities, merged shards and reports from before it. */
  readonly methodChoice: MethodWhy | null;
  /**
   * Keys read in full and classified row by row (every other key was proven ok from its digest).
   */
  readonly keysReadInFull: number;
  readonly readOnly: boolean;
  readonly mirrorTable: string;
  /** null for read-only entities, which have no source. */
  readonly sourceRows: number | null;
  readonly mirrorRows: number;
  /** Mirror rows without an sfid. */
  readonly unsyncedRows: number;
  /**
   * Sync lag: seconds since the newest trigger-log entry of the longest-waiting
   * mirror row without an sfid (null when every row has one, or no such row has a log entry).
   */
  readonly oldestUnsyncedAgeSeconds: number | null;
  /** Source rows whose key is NULL: never matched, never written. */
  readonly sourceRowsWithoutKey: number;
  readonly counts: Readonly<Record<RowClass, number>>;
  readonly mismatches: Mismatches;
}
