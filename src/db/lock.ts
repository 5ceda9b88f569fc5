import { sql } from 'kysely';
import type { DatabaseTarget } from '../config/types.js';
import { LockError } from '../errors.js';
import { connect, type ConnectOptions } from './connect.js';

/**
 * One writing run at a time per mirror database: a session-level advisory
 * lock, held on a connection of its own for the whole run and released when
 * it ends (or when the process dies and the connection drops).
 */
const LOCK_NAME = 'sfsync:write';

export interface HeldLock {
  release(): Promise<void>;
}

export async function acquireWriteLock(target: DatabaseTarget, options: ConnectOptions = {}): Promise<HeldLock> {
  // One connection that never idles out: the lock lives exactly as long as it.
  const session = await connect(target, { ...options, maxConnections: 1, holdSession: true });
  const { rows } = await sql<{ locked: boolean }>`select pg_try_advisory_lock(hashtext(${LOCK_NAME})) as locked`.execute(session.db);
  if (!rows[0]?.locked) {
    const holder = await sql<{ since: Date }>`
      select a.backend_start as since from pg_locks l join pg_stat_activity a on a.pid = l.pid
       where l.locktype = 'advisory' and l.granted and l.objid = hashtext(${LOCK_NAME})::oid limit 1`.execute(session.db);
    await session.close();
    const since = holder.rows[0] ? ` (held since ${holder.rows[0].since.toISOString()})` : '';
    throw new LockError(`another sfsync repair or backfill is writing to this mirror database${since}; wait for it to finish, then run again`);
  }
  return {
    release: async () => {
      await sql`select pg_advisory_unlock(hashtext(${LOCK_NAME}))`.execute(session.db).catch(() => undefined);
      await session.close();
    },
  };
}
