import { advanceCheckpoint, finishedEntities, forgetCheckpoints, markFinished } from '../db/checkpoints.js';
import type { BackfillHooks } from './repair.js';

/**
 * What makes `backfill` resumable: a checkpoint per entity (db/checkpoints.ts).
 * A rerun after an interruption plans from a fresh audit and so continues with
 * the rows still absent; a rerun of a finished backfill does nothing for the
 * finished entities (`--restart` forgets the checkpoints first).
 */
export function backfillHooks(restart: boolean): BackfillHooks {
  let forget = restart;
  return {
    async filter(mirror, actions) {
      if (forget) {
        await forgetCheckpoints(mirror.db);
        forget = false;
      }
      const finished = await finishedEntities(mirror.db);
      return actions.filter((a) => !finished.has(a.entity));
    },
    beforeCommit: (trx, entity, lastKey, runId) => advanceCheckpoint(trx, entity, lastKey, runId),
    finish: (mirror, runId, complete) => markFinished(mirror.db, runId, complete),
  };
}
