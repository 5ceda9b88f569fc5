import type { RunConfig, WritableEntity } from '../../config/types.js';
import { planMismatches, type PlannedAction, type PlanOptions } from '../../core/repair/plan.js';
import type { AuditResult } from '../../core/audit/result.js';
import { auditWith, type AuditOptions } from '../audit/audit.js';
import type { Databases } from '../databases.js';

/** What a repair's audits share: how stale is stuck, signals, timeouts, sessions. */
export type PassOptions = Pick<
  AuditOptions,
  | 'staleMs'
  | 'signal'
  | 'timeouts'
  | 'onQuery'
  | 'concurrency'
  | 'suspectsInMemory'
  | 'keysPerRead'
  | 'ignoreAttempts'
>;

/**
 * One pass of a repair over some entities: a fresh audit of them whose
 * mismatches are planned a batch at a time, as the audit classifies them (in
 * key order), and handed to `onPlan` — which may write them — before the audit
 * reads on. Entities run on `concurrency` pairs of sessions, so a pass holds a
 * batch per entity at once, never the table.
 */
export async function planInBatches(
  dbs: Databases,
  config: RunConfig,
  entities: readonly string[],
  options: PassOptions,
  plan: PlanOptions,
  onPlan: (entity: WritableEntity, actions: PlannedAction[]) => Promise<void>,
): Promise<AuditResult> {
  const byName = new Map(config.entities.map((e) => [e.name, e]));
  return auditWith(dbs, config, {
    ...options,
    entities,
    onMismatches: async (name, mismatches) => {
      const actions = planMismatches(name, mismatches, plan);
      if (actions.length > 0) await onPlan(byName.get(name) as WritableEntity, actions);
    },
  });
}
