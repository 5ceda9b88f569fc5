import type { EntityAudit, FieldDrift, Mismatch, MismatchClass } from '../audit/types.js';
import type { HcErrorCode } from '../connect/error-taxonomy.js';
import { decideFailed } from './policy.js';

/**
 * What a repair does with each mismatch. Writes: insert, reinsert, dedupe,
 * update, recapture. Not now: defer (a parent is not ready), skip (nothing safe
 * to do automatically).
 */
export type ActionKind =
  | 'insert'
  | 'reinsert'
  | 'recapture'
  | 'dedupe'
  | 'update'
  | 'defer'
  | 'skip';
export type ActionStatus = 'planned' | 'done' | 'failed' | 'deferred' | 'skipped';
export const WRITE_ACTIONS: ReadonlySet<ActionKind> = new Set([
  'insert',
  'reinsert',
  'recapture',
  'dedupe',
  'update',
]);

export interface PlannedAction {
  readonly entity: string;
  readonly key: string;
  readonly action: ActionKind;
  readonly class: MismatchClass;
  readonly reason: string;
  readonly code: HcErrorCode | null;
  /** reinsert/recapture/update: the mirror row acted on. */
  readonly mirrorId: number | null;
  /** dedupe: the sfid-NULL rows to delete; the kept row is `mirrorId`. */
  readonly deleteIds: readonly number[];
  /** update: the mirror columns that differ. */
  readonly columns: readonly string[];
  /**
   * update: each differing column's values, the mirror's to be replaced by the source's; reinsert:
   * what the source changed since the failure (the fix it carries).
   */
  readonly changes: readonly FieldDrift[];
  readonly blockedBy: Mismatch['parent'];
}

export type RepairStrategy = 'reinsert' | 'recapture';

export interface PlanOptions {
  readonly strategy: RepairStrategy;
  /** `--only`: act on these classes; the rest are left out of the plan. */
  readonly only?: readonly MismatchClass[] | undefined;
  /** Backfill: insert absent rows and nothing else. */
  readonly insertOnly?: boolean;
  /**
   * Read-only mappings (rows come from Salesforce only): a child waiting on one of their absent
   * rows waits for something no sync from this side will write.
   */
  readonly readOnly?: ReadonlySet<string> | undefined;
  /**
   * `--retry`: error codes and policies (data-fix, config-fix, unknown) whose FAILED rows are
   * re-sent although their source row has not changed.
   */
  readonly retry?: readonly string[] | undefined;
}

/**
 * The repair plan for audited entities, in the order given (canonical). Pure: dry run and apply
 * read the same value.
 */
export function planRepair(audits: readonly EntityAudit[], options: PlanOptions): PlannedAction[] {
  const actions: PlannedAction[] = [];
  for (const audit of audits) {
    if (audit.readOnly) continue;
    for (const action of planMismatches(audit.name, audit.mismatches, options))
      actions.push(action);
  }
  return actions;
}

/**
 * The plan for some of one writable entity's mismatches (a repair plans them a batch at a time, as
 * the audit finds them).
 */
export function planMismatches(
  entity: string,
  mismatches: Iterable<Mismatch>,
  options: PlanOptions,
): PlannedAction[] {
  const actions: PlannedAction[] = [];
  for (const mismatch of mismatches) {
    if (options.only && !options.only.includes(mismatch.class)) continue;
    // A backfill inserts absent rows; a child that is absent and waits for its parent is one it
    // defers.
    if (
      options.insertOnly &&
      mismatch.class !== 'absent' &&
      !(mismatch.class === 'missing_parent' && mismatch.mirror === null)
    )
      continue;
    actions.push(planOne(entity, mismatch, options));
  }
  return actions;
}

function planOne(entity: string, m: Mismatch, options: PlanOptions): PlannedAction {
  const base = {
    entity,
    key: m.key,
    class: m.class,
    code: m.code,
    mirrorId: m.mirror?.id ?? null,
    deleteIds: [],
    columns: [],
    changes: [],
    blockedBy: null,
  };
  const skip = (reason: string): PlannedAction => ({ ...base, action: 'skip', reason });
  switch (m.class) {
    case 'absent':
      return { ...base, action: 'insert', reason: 'no mirror row: insert it from the source row' };
    case 'failed': {
      if (!m.mirror || m.mirror.sfid !== null)
        return skip(`${m.reason}${m.hint ? ` — ${m.hint}` : ''}`);
      const decision = decideFailed(m, options.retry);
      if (!decision.send) return skip(decision.reason);
      // Recapture queues the row as it is: a row sent for its fix must carry the new values.
      return options.strategy === 'recapture' && !decision.carriesFix
        ? {
            ...base,
            action: 'recapture',
            reason: `${decision.why}: queue the row again through hc_capture_insert_from_row`,
          }
        : {
            ...base,
            action: 'reinsert',
            // What the source changed since the failure: shown, and it starts the count of
            // attempts again.
            changes: m.fields,
            reason: `${decision.why}: delete the sfid-NULL FAILED row, insert it again`,
          };
    }
    case 'duplicate':
      return planDedupe(base, m);
    case 'drift':
      if (!m.mirror || m.mirror.sfid === null)
        return skip('drift on a row without an sfid: nothing synced to correct');
      return {
        ...base,
        action: 'update',
        columns: m.fields.map((f) => f.column),
        changes: m.fields,
        reason: `update ${m.fields.map((f) => f.column).join(', ')}`,
      };
    case 'missing_parent': {
      const parent = m.parent!;
      return { ...base, action: 'defer', blockedBy: parent, reason: deferReason(parent, options) };
    }
    case 'stuck':
      return skip(
        `${m.reason}: Connect has not sent it; ` +
          'check the connection and its trigger log, sfsync does not touch pending rows',
      );
    case 'orphan':
      return skip(
        `${m.reason}: deleting mirror rows is not sfsync's call ` +
          '(with an sfid it would delete the Salesforce record)',
      );
    case 'gave_up':
      return skip(
        `${m.reason}: re-sent once the source row changes, or after repair --reset-attempts`,
      );
    case 'source_duplicate':
      return skip(
        `${m.reason}: never repaired automatically; ` +
          'make source.key unique (or narrow source.where), then run again',
      );
  }
}

/**
 * Why a child waits, and whether waiting will do: a parent NULL in the source, or absent from a
 * read-only mapping, will not come by any sync of ours, and the reason says what will.
 */
function deferReason(parent: NonNullable<Mismatch['parent']>, options: PlanOptions): string {
  if (parent.key === null)
    return (
      `required parent ${parent.entity} is NULL in the source: no sync will fix this; ` +
      'set it in the app (or mark the parent optional in the config)'
    );
  const named = `parent ${parent.entity} ${parent.key}`;
  if (parent.state === 'absent' && options.readOnly?.has(parent.entity))
    return (
      `${named} is absent from a read-only mapping: no sync from this side will fix this; ` +
      'create it in Salesforce, then run again'
    );
  return `${named} is ${parent.state}: waits until the parent has an sfid`;
}

function planDedupe(base: Omit<PlannedAction, 'action' | 'reason'>, m: Mismatch): PlannedAction {
  const rows = m.rows ?? [];
  // A duplicate read from a report without its rows cannot say which to keep.
  if (rows.length < 2)
    return {
      ...base,
      action: 'skip',
      reason: `${m.reason}: its rows are not listed, so none is deleted`,
    };
  const synced = rows.filter((row) => row.sfid !== null);
  if (synced.length > 1) {
    return {
      ...base,
      action: 'skip',
      reason:
        `${synced.length} rows with this key have an sfid: ` +
        'duplicates in Salesforce too, resolve them there',
    };
  }
  // Keep the row Salesforce knows; with none, the newest (highest id), which is the app's latest
  // write.
  // Stryker disable next-line EqualityOperator: equivalent, mirror ids are unique: no two rows tie.
  const keep = synced[0] ?? rows.reduce((a, b) => (b.id > a.id ? b : a));
  const deleteIds = rows.filter((row) => row.id !== keep.id).map((row) => row.id);
  return {
    ...base,
    action: 'dedupe',
    mirrorId: keep.id,
    deleteIds,
    reason:
      `keep row ${keep.id}${keep.sfid ? ' (has the sfid)' : ' (newest)'}, ` +
      `delete sfid-NULL row${deleteIds.length > 1 ? 's' : ''} ${deleteIds.join(', ')}`,
  };
}

/** The status a planned action starts with: writes are planned, the rest are settled already. */
export function initialStatus(action: ActionKind): ActionStatus {
  if (action === 'defer') return 'deferred';
  if (action === 'skip') return 'skipped';
  return 'planned';
}
