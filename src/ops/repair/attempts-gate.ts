import type { Connection } from '../../db/driver/connect.js';
import { readAttempts, recordAttempts } from '../../db/sfsync/attempts.js';
import { gateAttempt, RESENDS, type AttemptSettings } from '../../core/repair/attempts.js';
import type { PlannedAction } from '../../core/repair/plan.js';
import type { ActionResult } from '../../core/repair/result.js';
import type { ApplyContext } from './apply-actions.js';

/** What the gate needs: the settings, and whether sfsync.attempts can be read at all. */
export interface AttemptsGate {
  readonly settings: AttemptSettings;
  /** False before the first run that created the table, and with --reset-attempts on a dry run. */
  readonly readable: boolean;
}

/**
 * Splits one entity's planned batch: what may go ahead, and the re-sends held back by their
 * attempts (given up, or waiting out a backoff). Reads only the keys the batch re-sends.
 */
export async function gateResends(
  mirror: Connection,
  plan: readonly PlannedAction[],
  gate: AttemptsGate,
): Promise<{ readonly go: PlannedAction[]; readonly held: ActionResult[] }> {
  const resends = plan.filter((a) => RESENDS.has(a.action));
  if (!gate.readable || resends.length === 0) return { go: [...plan], held: [] };
  const records = await readAttempts(
    mirror.db,
    resends[0]!.entity,
    resends.map((a) => a.key),
  );
  const now = new Date();
  const go: PlannedAction[] = [];
  const held: ActionResult[] = [];
  for (const action of plan) {
    const result = gateAttempt(action, records.get(action.key), gate.settings, now);
    if (result) held.push(result);
    else go.push(action);
  }
  return { go, held };
}

/**
 * The hook that counts, in each batch's transaction, the re-sends it carried out; then the
 * caller's own hook (a backfill's checkpoint), if any.
 */
export function countingResends(then?: ApplyContext['beforeCommit']): ApplyContext['beforeCommit'] {
  return async (trx, batch) => {
    const resends = batch.actions.flatMap((action, i) =>
      RESENDS.has(action.action) && batch.outcomes[i]!.status === 'done'
        ? [{ key: action.key, code: action.code, fresh: action.changes.length > 0 }]
        : [],
    );
    await recordAttempts(trx, batch.entity, batch.runId, resends);
    await then?.(trx, batch);
  };
}
