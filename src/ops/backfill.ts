import { sql } from 'kysely';
import { journalExists } from '../db/journal.js';
import type { BackfillHooks } from './repair.js';

/**
 * What makes `backfill` resumable: a checkpoint per entity in
 * sfsync.checkpoints, advanced inside each batch's transaction (so it never
 * claims rows that were rolled back), and marked done when every row of the
 * entity was written. A rerun after an interruption plans from a fresh audit and
 * so continues with the rows still absent; a rerun of a finished backfill does
 * nothing for the finished entities (`--restart` forgets the checkpoints).
 */
export function backfillHooks(restart: boolean): BackfillHooks {
  let forget = restart;
  return {
    async filter(mirror, actions) {
      if (!(await journalExists(mirror.db))) return actions;
      if (forget) {
        await sql`delete from sfsync.checkpoints`.execute(mirror.db);
        forget = false;
      }
      const { rows } = await sql<{ entity: string }>`select entity from sfsync.checkpoints where done`.execute(mirror.db);
      const finished = new Set(rows.map((r) => r.entity));
      return actions.filter((a) => !finished.has(a.entity));
    },
    async onBatchCommitted(trx, entity, lastKey, runId) {
      await sql`insert into sfsync.checkpoints (entity, last_key, done, run_id, updated_at)
                values (${entity}, ${lastKey}, false, ${runId}, clock_timestamp())
                on conflict (entity) do update set last_key = excluded.last_key, done = false, run_id = excluded.run_id, updated_at = excluded.updated_at`
        .execute(trx);
    },
    async finish(mirror, runId, complete) {
      for (const entity of complete) {
        await sql`insert into sfsync.checkpoints (entity, done, run_id, updated_at) values (${entity}, true, ${runId}, clock_timestamp())
                  on conflict (entity) do update set done = true, run_id = excluded.run_id, updated_at = excluded.updated_at`.execute(mirror.db);
      }
    },
  };
}
