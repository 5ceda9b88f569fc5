import type { RunConfig, WritableEntity } from '../../config/types.js';
import { writeProgressText } from '../../core/progress/progress-text.js';
import { WRITE_ACTIONS } from '../../core/repair/plan.js';
import { asPlanned, type RepairSummary } from '../../core/repair/result.js';
import { gateResends } from './attempts-gate.js';
import { setDeferredLookups } from './deferred-lookups.js';
import { applyWrites, report, type LevelContext } from './level-context.js';
import { planInBatches } from './pass.js';
import { waitForConnect, waitForParents } from './waits.js';

/**
 * Writes the plan level by level, parents first: each level planned from a fresh audit, which sees
 * what the earlier levels wrote; with --wait, Connect is given time to sync a level before the
 * next.
 */
export async function applyByLevel(
  config: RunConfig,
  entities: readonly string[],
  ctx: LevelContext,
): Promise<void> {
  const byName = new Map(config.entities.map((e) => [e.name, e]));
  let levelIndex = 0;
  for (const level of config.graph.levels) {
    const names = level.filter((name) => entities.includes(name) && !byName.get(name)!.readOnly);
    if (names.length === 0) continue;
    ctx.guard.check();
    // Each level is planned from a fresh audit, which sees what the earlier levels wrote.
    if (levelIndex++ > 0 && ctx.options.waitMs) await waitForParents(config, names, ctx);
    const written = new Map<string, number>();
    // When each entity's first write began: its rate so far gives the time left.
    const startedAt = new Map<string, number>();
    await planInBatches(
      ctx.dbs,
      config,
      names,
      ctx.passOptions,
      ctx.planOptions,
      async (entity, planned) => {
        const { go: plan, held } = await gateResends(ctx.dbs.mirror, planned, ctx.gate);
        await report(ctx.summary, held, ctx.options);
        const { allowed, deferred } = ctx.budget.split(plan);
        const writes = allowed.filter((a) => WRITE_ACTIONS.has(a.action));
        const total = writeCount(ctx.planned, entity.name);
        const before = written.get(entity.name) ?? 0;
        written.set(entity.name, before + writes.length);
        await report(
          ctx.summary,
          [...allowed.filter((a) => !WRITE_ACTIONS.has(a.action)).map(asPlanned), ...deferred],
          ctx.options,
        );
        if (writes.length === 0) return;
        const last = before + writes.length;
        const expected = Math.max(total, last);
        if (!startedAt.has(entity.name)) startedAt.set(entity.name, Date.now());
        ctx.options.onProgress?.(
          writeProgressText({
            entity: entity.name,
            before,
            after: last,
            expected,
            batchSize: ctx.options.batchSize,
            elapsedMs: Date.now() - startedAt.get(entity.name)!,
          }),
        );
        await report(
          ctx.summary,
          await applyWrites(entity, writes, ctx, ctx.options.backfill?.beforeCommit),
          ctx.options,
        );
        ctx.options.onProgress?.(`${entity.name}: ${last} of ~${expected} change(s) written`);
      },
    );
    if (ctx.options.waitMs)
      await waitForConnect(
        ctx,
        names.map((name) => byName.get(name) as WritableEntity),
        ctx.options.waitMs,
      );
  }
  if (ctx.options.waitMs) await setDeferredLookups(config, entities, ctx);
}

/** Writes the preview planned for an entity. */
function writeCount(planned: Readonly<RepairSummary>, entity: string): number {
  const byAction = planned[entity] ?? {};
  return [...WRITE_ACTIONS].reduce((sum, action) => sum + (byAction[action]?.planned ?? 0), 0);
}
