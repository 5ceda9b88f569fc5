import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import type { DatabaseTarget, ResolvedTarget } from '../../config/types.js';
import { DatabaseError } from '../../errors.js';
import { clientSettings, withoutTls, type ClientSettings } from './client-config.js';
import { describeUrl } from './describe-url.js';
import {
  adaptPool,
  poolAccess,
  type PoolAccess,
  type QueryObserver,
  type SessionTimeouts,
  type Where,
} from './pool-adapter.js';
import { runSession, type Session } from './session.js';
import { describeDatabaseFailure, serverMessage } from './sqlstate.js';
import {
  knownToRefuseTls,
  plainRetryReason,
  rememberRefusal,
  tlsNote,
  unwrap,
  type TlsAttempt,
} from './tls-fallback.js';

export type { QueryObserver, SessionTimeouts } from './pool-adapter.js';

// Mirror and source tables are named by config at run time, so queries are
// typed by what they select rather than by a static database interface.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyDb = Kysely<any>;

export interface Connection {
  readonly role: DatabaseTarget['role'];
  readonly schema: string;
  /** `host:port/database`, safe to print. */
  readonly label: string;
  readonly db: AnyDb;
  /** Runs `work` on one connection of the pool, with COPY reads beside kysely statements. */
  session<T>(work: (session: Session) => Promise<T>): Promise<T>;
  /** Bytes received from the server so far, over every connection of the pool. */
  bytesRead(): number;
  close(): Promise<void>;
}

export interface ConnectOptions {
  maxConnections?: number;
  /** Keep connections open however long they idle (a session-level lock lives on one). */
  holdSession?: boolean;
  /** Session settings for every connection, libpq style (`-c name=value`). */
  sessionOptions?: string;
  /** statement_timeout and lock_timeout for every session. */
  timeouts?: SessionTimeouts;
  /**
   * What this pool is for (`audit`, `write`, `lock`…): shown in pg_stat_activity as
   * `sfsync/<role>/<purpose>`.
   */
  purpose?: string;
  /** Awaited before every statement (tracing; fault injection in tests). */
  onQuery?: QueryObserver;
  /** Called when a session of the pool dies, even while it is idle. */
  onSessionLost?: (error: DatabaseError) => void;
}

/**
 * Opens a pool and proves it works, so an unreachable database fails here with one clear message.
 * Under `prefer` (the default) or `allow`, a server that will not have TLS gets a plain-text pool
 * instead (see tls-fallback.ts); the first connection decides for the whole pool.
 */
export async function connect(
  target: ResolvedTarget,
  options: ConnectOptions = {},
): Promise<Connection> {
  const where: Where = {
    role: target.role,
    label: describeUrl(target.url),
    purpose: options.purpose ?? 'main',
  };
  const settings = clientSettings(target.url, target.sslModeFromEnv);
  const first = knownToRefuseTls(settings) ? withoutTls(settings) : settings;
  try {
    return await open(first, target, where, options);
  } catch (error) {
    const reason = first.plainFallback ? plainRetryReason(error) : undefined;
    if (!reason) throw cannotConnect(where, error, first);
    const plain = withoutTls(settings);
    try {
      const connection = await open(plain, target, where, options);
      rememberRefusal(settings, reason);
      return connection;
    } catch (again) {
      throw cannotConnect(where, again, plain, { reason, error });
    }
  }
}

async function open(
  settings: ClientSettings,
  target: ResolvedTarget,
  where: Where,
  options: ConnectOptions,
): Promise<Connection> {
  const pool = new pg.Pool({
    ...settings.config,
    types: { getTypeParser: typeParser },
    max: options.maxConnections ?? 4,
    application_name: `sfsync/${where.role}/${where.purpose}`,
    connectionTimeoutMillis: 10_000,
    idleTimeoutMillis: options.holdSession ? 0 : 10_000,
    keepAlive: true,
    ...(options.sessionOptions ? { options: options.sessionOptions } : {}),
  });
  // An idle client that loses its server emits 'error' on the pool; without a
  // listener that would crash the process instead of failing the next query.
  pool.on('error', () => undefined);
  const access = poolAccess(pool, where, options);
  const db: AnyDb = new Kysely({ dialect: new PostgresDialect({ pool: adaptPool(pool, access) }) });
  try {
    await sql`select 1`.execute(db);
  } catch (error) {
    await db.destroy().catch(() => undefined);
    throw error;
  }
  return {
    role: target.role,
    schema: target.schema,
    label: where.label,
    db,
    session: (work) => runSession(access, where, options, work),
    bytesRead: () => access.bytesRead(),
    close: () => closePool(db, access),
  };
}

/**
 * How long a pool's sessions get to say goodbye before their sockets are closed anyway
 * (pool-adapter.ts, closeSockets).
 */
const CLOSE_GRACE_MS = 5_000;

/**
 * Ends the pool. The pool waits for every statement still running, so one
 * waiting on a server that went silent would hold it forever: past the grace,
 * the sockets are cut, which fails such a statement and lets the pool end.
 */
async function closePool(db: AnyDb, access: PoolAccess): Promise<void> {
  const ended = db.destroy().then(() => access.closeSockets(CLOSE_GRACE_MS));
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'late'>((resolve) => {
    timer = setTimeout(() => resolve('late'), CLOSE_GRACE_MS);
  });
  const first = await Promise.race([ended, late]);
  clearTimeout(timer);
  if (first !== 'late') return;
  access.cutSockets();
  await ended;
}

function cannotConnect(
  where: Where,
  error: unknown,
  attempt: ClientSettings,
  tlsFirst?: TlsAttempt,
): DatabaseError {
  const failure = describeDatabaseFailure(unwrap(error));
  const note = tlsNote(attempt, failure, tlsFirst);
  return new DatabaseError(
    `cannot connect to the ${where.role} database (${where.label}): ${failure.text}${note}`,
    {
      database: where.role,
      sqlstate: failure.sqlstate,
      connectionLost: true,
      detail: serverMessage(error),
      cause: error,
    },
  );
}

// Dates we write go out in UTC: `timestamp without time zone` ignores an
// offset, and Heroku Connect's timestamps are UTC.
pg.defaults.parseInputDatesAsUTC = true;

const TIMESTAMP_WITHOUT_TIME_ZONE = 1114;

/**
 * Heroku Connect stores Salesforce datetimes in `timestamp without time zone`
 * as UTC; node-postgres would read them in the process's local zone.
 */
const typeParser = ((oid: number, format?: 'text' | 'binary') => {
  if (oid === TIMESTAMP_WITHOUT_TIME_ZONE && format !== 'binary') return parseUtcTimestamp;
  return pg.types.getTypeParser(oid, format as 'text');
}) as typeof pg.types.getTypeParser;

function parseUtcTimestamp(value: string): Date | string {
  const date = new Date(`${value.replace(' ', 'T')}Z`);
  // infinity / -infinity and BC dates stay as PostgreSQL wrote them.
  return Number.isNaN(date.getTime()) ? value : date;
}
