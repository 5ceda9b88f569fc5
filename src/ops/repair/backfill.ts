import {
  advanceCheckpoint,
  finishedEntities,
  forgetCheckpoints,
  markFinished,
} from '../../db/sfsync/checkpoints.js';
import type { BackfillHooks } from './options.js';

/**
 * What makes `backfill` resumable: a checkpoint per entity (db/sfsync/checkpoints.ts).
 * A rerun after an interruption plans from a fresh audit and so continues with
 * the rows still absent; a rerun of a finished backfill does nothing for the
 * finished entities (`--restart` forgets the checkpoints first).
 */
export function backfillHooks(restart: boolean): BackfillHooks {
  let forget = restart;
  return {
    async finished(mirror) {
      if (forget) {
        await forgetCheckpoints(mirror.db);
        forget = false;
      }
      return finishedEntities(mirror.db);
    },
    beforeCommit: (trx, batch) =>
      advanceCheckpoint(trx, batch.entity, batch.actions.at(-1)!.key, batch.runId),
    finish: (mirror, runId, complete) => markFinished(mirror.db, runId, complete),
  };
}
