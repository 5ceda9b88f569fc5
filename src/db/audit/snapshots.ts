import { sql, type Transaction } from 'kysely';
import type { AnyDb, Connection } from '../driver/connect.js';
import type { Session } from '../driver/session.js';
import { DatabaseError } from '../../errors.js';
import { sameDatabase } from '../driver/same-database.js';

/** One database's part of an audit worker: a pinned session and its read-only transaction. */
export interface Side {
  readonly session: Session;
  readonly trx: Transaction<any>;
}

/** The two databases an audit compares, read in one snapshot each. */
export interface SidePair {
  readonly source: Side;
  readonly mirror: Side;
}

/** What the pairs have in common, known before any of them read. */
export interface PairFacts {
  /** Source and mirror are one database, read as one role (sameDatabase). */
  readonly sameDatabase: boolean;
  /**
   * One database, and the source's transactions import the mirror's snapshot: either side's
   * session sees both schemas as the other does, so the two can read at once.
   */
  readonly sharedSnapshot: boolean;
}

/**
 * Up to `count` pairs of READ ONLY, REPEATABLE READ transactions, one on each
 * database, that all see the first pair's snapshot of that database
 * (`pg_export_snapshot` in the first, `SET TRANSACTION SNAPSHOT` in the
 * others): entities audited on different pairs are still one consistent
 * audit. When both look like one database, the source side imports the
 * mirror's snapshot too; where that fails (a pooler that sent the two sessions
 * to different servers), the source reads a snapshot of its own, as it does
 * on a standby before PostgreSQL 10, which cannot export one (and then the
 * audit keeps to the first pair alone).
 * Every failure inside is already a DatabaseError naming its database.
 */
export function withSnapshotPairs<T>(
  source: Connection,
  mirror: Connection,
  count: number,
  work: (pairs: SidePair[], facts: PairFacts) => Promise<T>,
  options: SnapshotOptions = {},
): Promise<T> {
  return source.session((sourceSession) =>
    mirror.session(async (mirrorSession) => {
      const opened = (sourceTrx: Transaction<any>, mirrorTrx: Transaction<any>, shared?: string) =>
        withMorePairs(
          { source, mirror, work, options },
          {
            source: { session: sourceSession, trx: sourceTrx },
            mirror: { session: mirrorSession, trx: mirrorTrx },
          },
          { count, shared },
        );
      const sourceAlone = (mirrorTrx: Transaction<any>) =>
        sideTransaction(sourceSession.db, options, (sourceTrx) => opened(sourceTrx, mirrorTrx));
      // Asked before the transactions begin, only to know whose snapshot to take first; what the
      // audit may do is asked again inside them (withMorePairs).
      if (!(await sameDatabase(sourceSession.db, mirrorSession.db)))
        return sideTransaction(sourceSession.db, options, (sourceTrx) =>
          sideTransaction(mirrorSession.db, options, (mirrorTrx) => opened(sourceTrx, mirrorTrx)),
        );
      // One database: the mirror's snapshot first, for the source to import as its first statement.
      return sideTransaction(mirrorSession.db, options, async (mirrorTrx) => {
        const exported = await exportSnapshot(mirrorTrx);
        if (exported === undefined) return sourceAlone(mirrorTrx);
        const shared = await importing(sourceSession.db, exported, options, (sourceTrx) =>
          opened(sourceTrx, mirrorTrx, exported),
        );
        return shared.imported ? shared.value : sourceAlone(mirrorTrx);
      });
    }),
  );
}

/**
 * `work` in a transaction that imports `snapshot` first; `imported: false` when the server refused
 * the import (the transaction is then rolled back, and nothing else ran in it).
 */
async function importing<T>(
  db: AnyDb,
  snapshot: string,
  options: SnapshotOptions,
  work: (trx: Transaction<any>) => Promise<T>,
): Promise<{ imported: true; value: T } | { imported: false }> {
  let refused = false;
  try {
    const first = async (trx: Transaction<any>) => {
      try {
        await importSnapshot(trx, snapshot);
      } catch (error) {
        refused = error instanceof DatabaseError && !error.connectionLost;
        throw error;
      }
    };
    const value = await sideTransaction(db, { ...options, first }, work);
    return { imported: true, value };
  } catch (error) {
    if (refused) return { imported: false };
    throw error;
  }
}

/**
 * The work on the first pair and `count - 1` more in its snapshots; `shared`: the one snapshot both
 * sides of the first pair read, when they share one.
 */
async function withMorePairs<T>(
  joining: Omit<Joining<T>, 'snapshots' | 'work'> & {
    readonly work: (pairs: SidePair[], facts: PairFacts) => Promise<T>;
  },
  first: SidePair,
  { count, shared }: { count: number; shared?: string | undefined },
): Promise<T> {
  // In the transactions, on the sessions they hold: a pooler may have given them other servers'
  // sessions than the check before they began.
  const same = await sameDatabase(first.source.trx, first.mirror.trx);
  const facts: PairFacts = { sameDatabase: same, sharedSnapshot: same && shared !== undefined };
  if (count <= 1) return joining.work([first], facts);
  const sourceSnapshot = facts.sharedSnapshot ? shared : await exportSnapshot(first.source.trx);
  const mirrorSnapshot = shared ?? (await exportSnapshot(first.mirror.trx));
  if (!sourceSnapshot || !mirrorSnapshot) return joining.work([first], facts);
  const snapshots = { source: sourceSnapshot, mirror: mirrorSnapshot };
  const work = (pairs: SidePair[]) => joining.work(pairs, facts);
  return joined({ ...joining, snapshots, work }, count - 1, [first]);
}

export interface SnapshotOptions {
  /**
   * The transactions sit idle while the caller works between reads (a repair
   * writes each batch of an audit through other sessions): a server-wide
   * idle_in_transaction_session_timeout must not end them meanwhile.
   */
  readonly idle?: boolean;
}

async function allowIdle(trx: Transaction<any>): Promise<void> {
  await sql`set local idle_in_transaction_session_timeout = 0`.execute(trx);
}

/** What every pair after the first is opened with. */
interface Joining<T> {
  readonly source: Connection;
  readonly mirror: Connection;
  readonly snapshots: { readonly source: string; readonly mirror: string };
  readonly work: (pairs: SidePair[]) => Promise<T>;
  readonly options: SnapshotOptions;
}

/** `left` more pairs, each in the first pair's snapshots, opened inside the ones before. */
function joined<T>(joining: Joining<T>, left: number, pairs: SidePair[]): Promise<T> {
  const { source, mirror, snapshots, work, options } = joining;
  if (left === 0) return work(pairs);
  const importFirst = (snapshot: string) => ({
    ...options,
    first: (trx: Transaction<any>) => importSnapshot(trx, snapshot),
  });
  return source.session((sourceSession) =>
    mirror.session((mirrorSession) =>
      sideTransaction(sourceSession.db, importFirst(snapshots.source), (sourceTrx) =>
        sideTransaction(mirrorSession.db, importFirst(snapshots.mirror), (mirrorTrx) => {
          const pair: SidePair = {
            source: { session: sourceSession, trx: sourceTrx },
            mirror: { session: mirrorSession, trx: mirrorTrx },
          };
          return joined(joining, left - 1, [...pairs, pair]);
        }),
      ),
    ),
  );
}

/**
 * One side's READ ONLY, REPEATABLE READ transaction: `first` as its first statement (a snapshot
 * import must be), then kept from the idle timeout when the options ask.
 */
function sideTransaction<T>(
  db: AnyDb,
  options: SnapshotOptions & { readonly first?: (trx: Transaction<any>) => Promise<void> },
  work: (trx: Transaction<any>) => Promise<T>,
): Promise<T> {
  return db
    .transaction()
    .setIsolationLevel('repeatable read')
    .setAccessMode('read only')
    .execute(async (trx) => {
      await options.first?.(trx);
      if (options.idle) await allowIdle(trx);
      return work(trx);
    });
}

/**
 * The transaction's snapshot for others to import, or undefined on a standby
 * before PostgreSQL 10, which cannot export one. (No savepoint to try it
 * under: a subtransaction cannot export a snapshot either.)
 */
async function exportSnapshot(trx: Transaction<any>): Promise<string | undefined> {
  const { rows } = await sql<{ snapshot: string | null }>`
    select case when pg_is_in_recovery() and current_setting('server_version_num')::int < 100000
                then null
                else pg_export_snapshot() end as snapshot`.execute(trx);
  return rows[0]?.snapshot ?? undefined;
}

/**
 * The first statement of the transaction, as PostgreSQL requires; a utility statement, so the id is
 * a literal (checked: the server's own hex).
 */
async function importSnapshot(trx: Transaction<any>, snapshot: string): Promise<void> {
  if (!/^[0-9A-F]+(-[0-9A-F]+)*$/i.test(snapshot))
    throw new DatabaseError(
      `the server exported a snapshot id sfsync does not recognise: ${snapshot}`,
    );
  await sql`set transaction snapshot ${sql.lit(snapshot)}`.execute(trx);
}
