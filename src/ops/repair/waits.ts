import type { RunConfig, WritableEntity } from '../../config/types.js';
import { countSettled } from '../../db/mirror/write-mirror.js';
import type { LevelContext } from './level-context.js';
import { planInBatches } from './pass.js';

/**
 * With --wait, before a level is written: while some of its rows wait for a
 * parent Connect has not synced yet (written by an earlier level or run),
 * audit again every second until they are free or the wait runs out.
 */
export async function waitForParents(
  config: RunConfig,
  entities: readonly string[],
  ctx: LevelContext,
): Promise<void> {
  const deadline = Date.now() + (ctx.options.waitMs ?? 0);
  for (;;) {
    ctx.options.onProgress?.(`auditing ${entities.join(', ')}`);
    let waiting = 0;
    await planInBatches(
      ctx.dbs,
      config,
      entities,
      ctx.passOptions,
      ctx.planOptions,
      async (_entity, plan) => {
        waiting += plan.filter(
          (a) => a.action === 'defer' && a.blockedBy?.state === 'unsynced',
        ).length;
      },
    );
    if (waiting === 0 || Date.now() >= deadline) return;
    ctx.options.onProgress?.(
      `waiting for Connect: ${waiting} row(s) wait for a parent without an sfid yet`,
    );
    await sleep(Math.min(1_000, deadline - Date.now()), ctx);
  }
}

/**
 * Waits, then checks the run may go on (a wait is where an interruption is most likely to land).
 */
async function sleep(ms: number, ctx: LevelContext): Promise<void> {
  await new Promise<void>((resolve) => {
    const timer = setTimeout(done, Math.max(0, ms));
    ctx.options.signal?.addEventListener('abort', done, { once: true });
    function done(): void {
      clearTimeout(timer);
      ctx.options.signal?.removeEventListener('abort', done);
      resolve();
    }
  });
  ctx.guard.check();
}

/**
 * Polls until Connect has given every row this run inserted into these entities an sfid or FAILED
 * it, or time runs out.
 */
export async function waitForConnect(
  ctx: LevelContext,
  entities: readonly WritableEntity[],
  waitMs: number,
): Promise<void> {
  const deadline = Date.now() + waitMs;
  for (;;) {
    let written = 0;
    let settled = 0;
    let synced = 0;
    let failed = 0;
    for (const entity of entities) {
      const counts = await countSettled(
        ctx.dbs.mirror.db,
        ctx.dbs.tables.mirrors.get(entity.name)!,
        ctx.runId,
      );
      written += counts.written;
      settled += counts.settled;
      synced += counts.synced;
      failed += counts.failed;
    }
    if (written === 0) return;
    ctx.options.onProgress?.(
      `waiting for Connect: ${synced} synced, ${failed} failed, ` +
        `${written - settled} pending of ${written}`,
    );
    if (settled >= written || Date.now() >= deadline) return;
    await sleep(Math.min(1_000, deadline - Date.now()), ctx);
  }
}
