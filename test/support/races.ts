import type { QueryEvent } from '../../src/db/driver/pool-adapter.js';

/**
 * A query observer that runs `race` once, between a repair's audit and its
 * writes: after the run is recorded in sfsync.runs, just before the first
 * transaction of the writer begins (its read of the batch's source rows) —
 * the audit has classified the batch and the plan is made, nothing of it is
 * read again or written yet. What `race` changes is what Connect or
 * the app could change in that moment.
 */
export function beforeFirstWrite(
  race: () => Promise<unknown>,
): (event: QueryEvent) => Promise<void> {
  let recorded = false;
  let fired = false;
  return async (event) => {
    recorded ||= event.database === 'mirror' && /insert into "sfsync"\."runs"/.test(event.sql);
    // The writer reads the batch's source rows (READ ONLY) and then writes (READ COMMITTED); the
    // audit reads REPEATABLE READ.
    const writing = /^start transaction (read only|isolation level read committed)$/.test(
      event.sql,
    );
    if (fired || !recorded || !writing) return;
    fired = true;
    await race();
  };
}
