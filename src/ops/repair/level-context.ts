import type { WritableEntity } from '../../config/types.js';
import type { PlannedAction, PlanOptions } from '../../core/repair/plan.js';
import { addToSummary, type ActionResult, type RepairSummary } from '../../core/repair/result.js';
import type { WriteBudget } from '../../core/repair/write-budget.js';
import type { Databases } from '../databases.js';
import { applyActions, type ApplyContext } from './apply-actions.js';
import { countingResends, type AttemptsGate } from './attempts-gate.js';
import type { RepairOptions } from './options.js';
import type { PassOptions } from './pass.js';
import type { RunGuard } from './run-guard.js';

/** What every level of a writing run shares. */
export interface LevelContext {
  readonly runId: string;
  readonly dbs: Databases;
  readonly options: RepairOptions;
  readonly passOptions: PassOptions;
  readonly planOptions: PlanOptions;
  readonly guard: RunGuard;
  /** What the run has done so far. */
  readonly summary: RepairSummary;
  /** The preview's counts, for progress. */
  readonly planned: Readonly<RepairSummary>;
  /** What the write caps still allow, over every level and the deferred lookups. */
  readonly budget: WriteBudget;
  /** Holds back the re-sends that used their attempts or wait out a backoff. */
  readonly gate: AttemptsGate;
}

/** Counts a batch's actions and hands them to the caller. */
export async function report(
  summary: RepairSummary,
  actions: readonly ActionResult[],
  options: RepairOptions,
): Promise<void> {
  addToSummary(summary, actions);
  await options.onActions?.(actions);
}

/**
 * Carries out one entity's write actions through the run's connections, and says how each ended.
 */
export async function applyWrites(
  entity: WritableEntity,
  writes: readonly PlannedAction[],
  ctx: LevelContext,
  beforeCommit?: ApplyContext['beforeCommit'],
) {
  const outcomes = await applyActions(writes, {
    runId: ctx.runId,
    source: ctx.dbs.source,
    mirror: ctx.dbs.mirror,
    batchSize: ctx.options.batchSize,
    beforeCommit: countingResends(beforeCommit),
    guard: ctx.guard,
    columns: ctx.dbs.mirrorCatalog.tables.get(entity.mirror.table)!.columns,
    tables: ctx.dbs.tables.writable.get(entity.name)!,
  });
  return writes.map(
    (a, i): ActionResult => ({ ...a, status: outcomes[i]!.status, detail: outcomes[i]!.detail }),
  );
}
