import type { RunConfig, WritableEntity } from '../../config/types.js';
import { applyWrites, report, type LevelContext } from './level-context.js';
import { planInBatches } from './pass.js';

/**
 * The second phase, with --wait: once every level is written and synced, set
 * the deferred lookups (self-lookups, the lookups that close a cycle) whose
 * parents now have an sfid. Without --wait the next run does it: the audit
 * reports those rows as drift on the lookup, and the plan updates them.
 */
export async function setDeferredLookups(
  config: RunConfig,
  reported: readonly string[],
  ctx: LevelContext,
): Promise<void> {
  const entities = config.entities.filter(
    (e): e is WritableEntity =>
      !e.readOnly && reported.includes(e.name) && e.parents.some((p) => p.deferred),
  );
  if (entities.length === 0) return;
  ctx.guard.check();
  const deferredOf = new Map(
    entities.map((e) => [
      e.name,
      new Set(e.parents.filter((p) => p.deferred).map((p) => p.lookup)),
    ]),
  );
  ctx.options.onProgress?.(
    `auditing ${entities.map((e) => e.name).join(', ')} for deferred lookups`,
  );
  // Backfill too: setting a deferred lookup is the rest of writing the row, so this plan is not
  // insert-only. Only the deferred lookups: other drift on those rows is the business of a repair's
  // own levels, not of this phase.
  const planOptions = { ...ctx.planOptions, insertOnly: false };
  await planInBatches(
    ctx.dbs,
    config,
    entities.map((e) => e.name),
    ctx.passOptions,
    planOptions,
    async (entity, plan) => {
      const { allowed: writes, deferred } = ctx.budget.split(
        plan
          .filter((a) => a.action === 'update')
          .map((a) => ({
            ...a,
            columns: a.columns.filter((column) => deferredOf.get(a.entity)?.has(column)),
          }))
          .filter((a) => a.columns.length > 0),
      );
      await report(ctx.summary, deferred, ctx.options);
      if (writes.length === 0) return;
      ctx.options.onProgress?.(`${entity.name}: setting ${writes.length} deferred lookup(s)`);
      // No checkpoint: a backfill's checkpoint is the last key its inserts committed, and these are
      // updates.
      await report(ctx.summary, await applyWrites(entity, writes, ctx), ctx.options);
    },
  );
}
