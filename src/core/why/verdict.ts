import type { WritableEntity } from '../entities/entity.js';
import type { MirrorRow, SourceRow } from '../audit/types.js';
import type { ColumnInfo } from '../schema/catalog.js';
import { classifyKey, classifyOrphan, type ClassifyContext } from '../audit/classify.js';
import { ERROR_TAXONOMY } from '../connect/error-taxonomy.js';
import { policyOf, type PolicyOverrides } from '../connect/error-policy.js';
import { parseHcError } from '../connect/hc-error.js';
import { formatDuration } from '../duration.js';
import { planMismatches } from '../repair/plan.js';
import { parentStates, type ChainLink } from './parent-chain.js';
import type { StoryError, Verdict } from './story.js';

/** What one key is judged on: the rows read, and the run's settings as the audit takes them. */
export interface VerdictInput {
  readonly entity: WritableEntity;
  readonly key: string;
  readonly source: { readonly row: SourceRow; readonly count: number } | null;
  /** Each with its newest trigger-log entry (core/why/trigger-log.ts newestEntries). */
  readonly mirror: readonly MirrorRow[];
  /** The record's parent links (parent-chain.ts): their readiness is what classification asks. */
  readonly parents: readonly ChainLink[];
  /** Per parent entity: when each unsynced parent of a deferred lookup was last written. */
  readonly deferredSince: ReadonlyMap<string, ReadonlyMap<string, Date | null>>;
  readonly columns: ReadonlyMap<string, ColumnInfo>;
  readonly now: Date;
  readonly staleMs: number;
  readonly hasTriggerLog: boolean;
  readonly policies: PolicyOverrides;
  /** Repair's re-sends of this key (sfsync.attempts), when it has any. */
  readonly attempts: ReadonlyMap<string, number> | undefined;
  readonly maxAttempts: number;
  /** Read-only entities: a parent absent from one waits for Salesforce, not for repair. */
  readonly readOnly: ReadonlySet<string>;
}

/**
 * The key classified exactly as the audit classifies it (ops/audit/details.ts builds the same
 * context), and what `sfsync repair` would do with it (its default strategy, no --retry). null
 * when the key is on neither side.
 */
export function judgeRecord(input: VerdictInput): Verdict | null {
  const { entity, source, mirror } = input;
  if (source === null && mirror.length === 0) return null;
  const states = parentStates(input.parents);
  const ctx: ClassifyContext = {
    entity,
    parentStates: states,
    deferredStates: states,
    deferredSince: input.deferredSince,
    columns: input.columns,
    now: input.now,
    staleMs: input.staleMs,
    hasTriggerLog: input.hasTriggerLog,
    policies: input.policies,
    attempts: input.attempts,
    maxAttempts: input.maxAttempts,
  };
  const result = source
    ? classifyKey(ctx, source.row, mirror, source.count)
    : {
        class: 'orphan' as const,
        mismatch: classifyOrphan(input.key, mirror, entity.source.where !== undefined),
      };
  const error = rowsError(mirror, input.policies);
  if (!result.mismatch) {
    return {
      class: result.class,
      reason: result.class === 'ok' ? IN_SYNC : pendingReason(input),
      hint: null,
      error,
      parent: null,
      fields: [],
      nextStep: {
        action: 'none',
        reason:
          result.class === 'ok'
            ? 'nothing to do'
            : 'nothing to do yet: Connect sends it (repair leaves pending rows alone)',
      },
    };
  }
  const m = result.mismatch;
  const [planned] = planMismatches(entity.name, [m], {
    strategy: 'reinsert',
    readOnly: input.readOnly,
  });
  return {
    class: m.class,
    reason: m.reason,
    hint: m.hint,
    error,
    parent: m.parent,
    fields: m.fields,
    // Every class has a plan; `none` only if a future class had none.
    nextStep: planned
      ? { action: planned.action, reason: planned.reason }
      : { action: 'none', reason: 'repair has no step for this class' },
  };
}

const IN_SYNC = 'in sync: the mirror row has an sfid and matches the source row';

/** Why a key is pending: a young unsynced row, an age the mirror cannot tell, or a deferral. */
function pendingReason(input: VerdictInput): string {
  const row = input.mirror[0];
  if (row?.sfid !== null)
    return 'pending: a deferred lookup waits for its parent to get an sfid, then repair sets it';
  const written = row.log?.createdAt;
  if (!input.hasTriggerLog || !written)
    return 'pending: no sfid yet (the mirror has no trigger log to tell how long it has waited)';
  const age = Math.max(0, input.now.getTime() - written.getTime());
  return (
    `pending: no sfid yet, last written ${formatDuration(age)} ago ` +
    `(stuck after --stale ${formatDuration(input.staleMs)})`
  );
}

/**
 * The error of the first FAILED mirror row, parsed as classification parses it: `_hc_err` first,
 * the newest trigger-log entry's `sf_message` when the column is empty or unreadable.
 */
export function rowsError(
  rows: readonly MirrorRow[],
  policies: PolicyOverrides,
): StoryError | null {
  const row = rows.find((r) => r.lastop === 'FAILED');
  if (!row) return null;
  const fromColumn = parseHcError(row.hcErr);
  const fromLog = parseHcError(row.log?.sfMessage);
  const parsed =
    fromColumn && (fromColumn.code !== 'UNKNOWN' || !fromLog)
      ? fromColumn
      : (fromLog ?? {
          code: 'UNKNOWN' as const,
          statusCode: undefined,
          message: 'FAILED with no error text in _hc_err or the trigger log',
        });
  const { code, statusCode, ...details } = parsed;
  return {
    ...details,
    code,
    statusCode: statusCode ?? null,
    policy: policyOf(code, policies),
    hint: ERROR_TAXONOMY[code].hint,
  };
}
