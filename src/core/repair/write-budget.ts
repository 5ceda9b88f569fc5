import { WRITE_ACTIONS, type PlannedAction } from './plan.js';
import type { ActionResult } from './result.js';

/** The write caps of one run: `--max-writes` (or the config's) and each entity's `maxWrites`. */
export interface WriteCaps {
  readonly run: number | null;
  readonly perEntity: ReadonlyMap<string, number>;
}

/**
 * How many rows a run may still write, over all entities and per entity, so a repair of a large
 * backlog cannot flood Connect's queue and the org's daily API allowance in one night: the writes
 * past a cap are deferred to the next run, in plan order (parents first).
 */
export class WriteBudget {
  private spent = 0;
  private readonly spentBy = new Map<string, number>();

  constructor(private readonly caps: WriteCaps) {}

  /**
   * Splits a batch of one entity's planned actions: the writes the caps still allow (spent now),
   * and the others' results, deferred with the cap that stopped them. Non-writes pass through.
   */
  split(actions: readonly PlannedAction[]): {
    readonly allowed: PlannedAction[];
    readonly deferred: ActionResult[];
  } {
    const allowed: PlannedAction[] = [];
    const deferred: ActionResult[] = [];
    for (const action of actions) {
      const result = this.admit(action);
      if (result) deferred.push(result);
      else allowed.push(action);
    }
    return { allowed, deferred };
  }

  /** Null when the action may go ahead (a write is counted); else its result, deferred. */
  admit(action: PlannedAction): ActionResult | null {
    if (!WRITE_ACTIONS.has(action.action)) return null;
    const cap = this.reached(action.entity);
    if (cap) {
      const reason = `${action.reason}; left for the next run: ${cap}`;
      return { ...action, reason, status: 'deferred', detail: null };
    }
    this.spent++;
    this.spentBy.set(action.entity, (this.spentBy.get(action.entity) ?? 0) + 1);
    return null;
  }

  /** The cap a further write to the entity would pass, in words, or null. */
  private reached(entity: string): string | null {
    const { run, perEntity } = this.caps;
    if (run !== null && this.spent >= run) return `the run's write cap of ${run} is reached`;
    const own = perEntity.get(entity);
    if (own !== undefined && (this.spentBy.get(entity) ?? 0) >= own)
      return `${entity}'s write cap of ${own} (maxWrites) is reached`;
    return null;
  }
}
