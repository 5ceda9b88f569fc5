import {
  initialStatus,
  WRITE_ACTIONS,
  type ActionKind,
  type ActionStatus,
  type PlannedAction,
} from './plan.js';
import type { OutcomeCounts } from './confirm.js';

export interface ActionResult extends PlannedAction {
  readonly status: ActionStatus;
  /**
   * What happened to the row when it was not simply done: PostgreSQL's message for `failed`, why
   * for `skipped` (`error` in the JSON).
   */
  readonly detail: string | null;
}

/** entity → action → status → count. */
export type RepairSummary = Record<
  string,
  Partial<Record<ActionKind, Partial<Record<ActionStatus, number>>>>
>;

/**
 * What a repair or backfill did, as counts. The actions themselves went to the
 * caller as they were carried out (RepairOptions.onActions): a run of a million
 * keeps none of them.
 */
export interface RepairResult {
  readonly runId: string | null;
  readonly dryRun: boolean;
  readonly cancelled: boolean;
  readonly order: readonly string[];
  readonly summary: Readonly<RepairSummary>;
  /**
   * With --wait: what became of the rows this run sent, once Connect had them (none pending: the
   * wait is over).
   */
  readonly outcomes?: Readonly<OutcomeCounts> | undefined;
  /** A writing run settles earlier runs' writes first: what it found became of them. */
  readonly earlier?: Readonly<OutcomeCounts> | undefined;
}

/** A summary with an empty entry for each entity, in canonical order. */
export function emptyRepairSummary(order: readonly string[]): RepairSummary {
  return Object.fromEntries(order.map((name) => [name, {}]));
}

export function addToSummary(summary: RepairSummary, actions: Iterable<ActionResult>): void {
  for (const a of actions) {
    const byAction = summary[a.entity] ?? {};
    const byStatus = byAction[a.action] ?? {};
    byStatus[a.status] = (byStatus[a.status] ?? 0) + 1;
    byAction[a.action] = byStatus;
    summary[a.entity] = byAction;
  }
}

/** How many actions ended in each status, over every entity and action. */
export function statusCounts(summary: Readonly<RepairSummary>): Record<ActionStatus, number> {
  const counts: Record<ActionStatus, number> = {
    planned: 0,
    done: 0,
    failed: 0,
    deferred: 0,
    skipped: 0,
  };
  for (const byAction of Object.values(summary)) {
    for (const byStatus of Object.values(byAction)) {
      for (const [status, n] of Object.entries(byStatus ?? {}))
        counts[status as ActionStatus] += n ?? 0;
    }
  }
  return counts;
}

/**
 * Writes deferred by a write cap (`--max-writes`, an entity's `maxWrites`): a write action whose
 * status is deferred. Rows waiting for a parent are `defer` actions.
 */
export function cappedCount(summary: Readonly<RepairSummary>): number {
  let n = 0;
  for (const byAction of Object.values(summary))
    for (const action of WRITE_ACTIONS) n += byAction[action]?.deferred ?? 0;
  return n;
}

/** Entities every action of which was done (or that had none). */
export function completeEntities(
  summary: Readonly<RepairSummary>,
  order: readonly string[],
): string[] {
  return order.filter((name) =>
    Object.values(summary[name] ?? {}).every((byStatus) =>
      Object.keys(byStatus ?? {}).every((s) => s === 'done'),
    ),
  );
}

/**
 * A planned action as a result before anything is carried out: writes planned, the rest settled.
 */
export function asPlanned(action: PlannedAction): ActionResult {
  return { ...action, status: initialStatus(action.action), detail: null };
}
