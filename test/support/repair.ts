import type { RunConfig } from '../../src/config/types.js';
import type { ActionResult, RepairResult as Counts } from '../../src/core/repair/result.js';
import { runRepair as run, type RepairOptions } from '../../src/ops/repair/repair.js';

export type { RepairOptions } from '../../src/ops/repair/repair.js';

/**
 * A repair's result with every action it reported, in canonical order (each entity's as carried
 * out).
 */
export interface RepairResult extends Counts {
  readonly actions: readonly ActionResult[];
}

/**
 * runRepair with its actions gathered, for tests that look at them one by one.
 * (sfsync itself never gathers them: the CLI prints them as they come.)
 * Also checks that the counts the run reported are the actions it handed over.
 */
export async function runRepair(config: RunConfig, options: RepairOptions): Promise<RepairResult> {
  const actions: ActionResult[] = [];
  const result = await run(config, {
    ...options,
    onActions: async (batch) => {
      for (const action of batch) actions.push(action);
      await options.onActions?.(batch);
    },
  });
  const order = new Map(result.order.map((name, i) => [name, i]));
  actions.sort((a, b) => order.get(a.entity)! - order.get(b.entity)!);
  if (!result.cancelled) assertCounted(result, actions);
  return { ...result, actions };
}

function assertCounted(result: Counts, actions: readonly ActionResult[]): void {
  const counted: Record<string, number> = {};
  for (const [entity, byAction] of Object.entries(result.summary)) {
    for (const [action, byStatus] of Object.entries(byAction)) {
      for (const [status, n] of Object.entries(byStatus ?? {}))
        counted[`${entity}/${action}/${status}`] = n ?? 0;
    }
  }
  const seen: Record<string, number> = {};
  for (const a of actions)
    seen[`${a.entity}/${a.action}/${a.status}`] =
      (seen[`${a.entity}/${a.action}/${a.status}`] ?? 0) + 1;
  if (
    JSON.stringify(Object.entries(seen).sort()) !== JSON.stringify(Object.entries(counted).sort())
  ) {
    throw new Error(
      "the run's summary does not count the actions it reported: " +
        JSON.stringify({ counted, seen }),
    );
  }
}
