import { sql, type RawBuilder, type Transaction } from 'kysely';
import type { ResolvedTarget } from '../../config/types.js';
import { utc } from '../../core/time-text.js';
import { LockError, type DatabaseError } from '../../errors.js';
import { connect, type AnyDb, type ConnectOptions } from '../driver/connect.js';

/**
 * One writing run at a time per mirror database: a session-level advisory
 * lock, held on a connection of its own for the whole run and released when
 * it ends (or when the process dies and the connection drops).
 *
 * Holding it is not enough: if the lock's session dies (terminated, network
 * cut), the server releases the lock and a second run may start writing. So a
 * writer checks the session is alive before each row (assertHeld) and proves,
 * inside each batch's transaction just before it commits, that the server
 * still grants the lock to that very session (verify).
 */
const LOCK_NAME = 'sfsync:write';
const BACKEND_START = sql<string>`extract(epoch from a.backend_start)::text`;
/** A row of pg_locks (aliased l) that is the write lock, granted. */
const GRANTED_WRITE_LOCK = sql<boolean>`l.locktype = 'advisory' and l.granted
  and l.objid = hashtext(${LOCK_NAME})::oid`;

export interface HeldLock {
  /**
   * The lock session's backend, recorded with the run so a dead run can be told from a live one.
   */
  readonly pid: number;
  /**
   * backend_start as exact epoch text (a Date would drop the microseconds that tell a reused pid
   * apart).
   */
  readonly backendStart: string;
  /** Throws LockError when the lock session is known to be gone. No round trip. */
  assertHeld(): void;
  /**
   * Throws LockError unless the server grants the lock to our session now; run inside the batch's
   * transaction.
   */
  verify(db: Transaction<any> | AnyDb): Promise<void>;
  release(): Promise<void>;
}

export async function acquireWriteLock(
  target: ResolvedTarget,
  options: ConnectOptions = {},
): Promise<HeldLock> {
  let lost: DatabaseError | undefined;
  // One connection that never idles out: the lock lives exactly as long as it.
  const session = await connect(target, {
    ...options,
    maxConnections: 1,
    holdSession: true,
    purpose: 'lock',
    onQuery: undefined,
    onSessionLost: (error) => {
      lost ??= error;
    },
  });
  const { rows } = await sql<{ locked: boolean; pid: number; backend_start: string }>`
    select pg_try_advisory_lock(hashtext(${LOCK_NAME})) as locked, pg_backend_pid() as pid,
           (select ${BACKEND_START} from pg_stat_activity a where a.pid = pg_backend_pid())
             as backend_start`.execute(session.db);
  const me = rows[0]!;
  if (!me.locked) {
    const holder = await sql<{ since: Date }>`
      select a.backend_start as since from pg_locks l join pg_stat_activity a on a.pid = l.pid
       where ${GRANTED_WRITE_LOCK} limit 1`.execute(session.db);
    await session.close();
    // No holder when it let go between the two statements: a race no test can stage.
    // Stryker disable next-line StringLiteral: the text of that race, see above
    const since = holder.rows[0] ? ` (held since ${utc(holder.rows[0].since)})` : '';
    throw new LockError(
      `another sfsync repair or backfill is writing to this mirror database${since}; ` +
        'wait for it to finish, then run again',
    );
  }
  const lostLock = (why: string) =>
    new LockError(
      `the write lock was lost (${why}); sfsync stopped before committing another batch. ` +
        'What was committed is in the journal; run again to finish',
    );
  const assertHeld = (): void => {
    if (lost) throw lostLock(`its session on the mirror database ended: ${lost.message}`);
  };
  return {
    pid: me.pid,
    backendStart: me.backend_start,
    assertHeld,
    async verify(db) {
      assertHeld();
      const mine = heldBySession(sql`${me.pid}::int`, sql`${me.backend_start}::text`);
      const { rows: held } = await sql<{ held: boolean }>`select ${mine} as held`.execute(db);
      if (held[0]?.held) return;
      // The session may still look alive to us (a dropped connection we never heard of): it holds
      // nothing now.
      throw lostLock(`the server no longer grants it to session ${me.pid}`);
    },
    async release() {
      // Ending the session is the release. A backend frees its advisory locks as it
      // exits and closes its socket only after that, so once close() has seen the
      // socket close, the next writer can take the lock. An unlock statement first
      // would add nothing but a wait on a session that may have gone silent.
      // close() is bounded: past its grace it cuts the socket.
      await session.close().catch(() => undefined);
    },
  };
}

/**
 * A condition: the write lock is granted to the session with this pid and backend start (SQL
 * expressions).
 */
export function heldBySession(
  pid: RawBuilder<unknown> | ReturnType<typeof sql.ref>,
  backendStart: RawBuilder<unknown> | ReturnType<typeof sql.ref>,
): RawBuilder<boolean> {
  return sql<boolean>`exists (select 1 from pg_locks l join pg_stat_activity a on a.pid = l.pid
                        where ${GRANTED_WRITE_LOCK}
                          and l.pid = ${pid} and ${BACKEND_START} = ${backendStart})`;
}
