import { DatabaseError } from '../../errors.js';

/**
 * PostgreSQL and network errors in words a person can act on. Every database
 * failure sfsync reports goes through describeDatabaseFailure, so the same
 * SQLSTATE always reads the same way, whichever command met it.
 */
export interface FailureDescription {
  /** What went wrong and what to do, in one line. */
  readonly text: string;
  readonly sqlstate: string | undefined;
  /** The session is gone: retrying on it is pointless, the run must stop. */
  readonly connectionLost: boolean;
}

interface Known {
  readonly words: string;
  readonly lost?: boolean;
}

const BY_SQLSTATE: Readonly<Record<string, Known>> = {
  '57P01': {
    words: 'the server ended this session (pg_terminate_backend, a restart or a failover)',
    lost: true,
  },
  '57P02': { words: 'the server crashed and ended every session', lost: true },
  '57P03': {
    words: 'the server is not accepting connections yet (starting up or in recovery)',
    lost: true,
  },
  '57P05': { words: 'the session was closed by idle_session_timeout', lost: true },
  '25P03': { words: 'the session was closed by idle_in_transaction_session_timeout', lost: true },
  '57014': {
    words:
      'a statement was cancelled: it ran past statement_timeout (raise --statement-timeout) ' +
      'or was cancelled by an administrator',
  },
  '55P03': {
    words:
      'a lock was not granted within lock_timeout: ' +
      'another session holds it (raise --lock-timeout or retry later)',
  },
  '40001': {
    words: 'a serialization failure: a concurrent transaction changed the same rows; run again',
  },
  '40P01': { words: 'a deadlock with another session; run again' },
  '42501': {
    words:
      'permission denied: the role in the URL lacks a privilege this command needs ' +
      '(see "Least privilege" in the README for the grants)',
  },
  '42P01': { words: 'a table does not exist (run `sfsync doctor`)' },
  '42703': { words: 'a column does not exist (run `sfsync doctor`)' },
  '42883': { words: 'a function or operator does not exist for these types' },
  '42601': { words: 'a syntax error (in a trusted SQL fragment of the config?)' },
  '3D000': { words: 'the database does not exist: check the URL' },
  '3F000': { words: 'the schema does not exist: check "schema" in the config' },
  '28P01': { words: 'password authentication failed: check the credentials' },
  '28000': { words: 'the server refused this role or client address (pg_hba.conf or sslmode)' },
  '25006': { words: 'a write was attempted in a read-only transaction' },
  '53100': { words: 'the server is out of disk space' },
  '53200': { words: 'the server is out of memory' },
  '53300': { words: 'the server has no connection slots left (too many connections)' },
  '54000': { words: 'a value or statement exceeds a server limit' },
  '0A000': { words: 'a feature this statement needs is not supported by the server' },
};

const BY_CLASS: Readonly<Record<string, Known>> = {
  '08': { words: 'the connection failed', lost: true },
  '22': { words: 'a value was rejected by the column type (too long, out of range or malformed)' },
  '23': { words: 'a constraint rejected a row' },
  '28': { words: 'authentication failed' },
  '42': { words: 'the statement does not fit the database schema' },
  '53': { words: 'the server ran out of a resource' },
  '57': { words: 'the server stopped the statement or session' },
  '58': { words: 'the server hit an operating-system error' },
  XX: { words: 'the server reported an internal error' },
};

/** Messages of node-postgres and Node's network stack that mean the connection is gone. */
const LOST_MESSAGES = [
  /connection terminated/i,
  /not queryable/i,
  /connection (was )?(ended|closed)/i,
  /server closed the connection/i,
  /socket hang up/i,
];

const NETWORK_CODES: Readonly<Record<string, string>> = {
  ECONNREFUSED: 'connection refused (is the server running, and is the port right?)',
  ECONNRESET: 'the connection was reset by the server or the network',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'host name lookup failed (temporary DNS failure)',
  ETIMEDOUT: 'the connection timed out',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  EPIPE: 'the connection was closed while sfsync was writing to it',
};

export function describeDatabaseFailure(error: unknown): FailureDescription {
  if (error instanceof AggregateError && error.errors.length > 0)
    return describeDatabaseFailure(error.errors[0]);
  const e = (error ?? {}) as { code?: unknown; message?: unknown };
  const code = typeof e.code === 'string' ? e.code : undefined;
  const message = (typeof e.message === 'string' && e.message.trim()) || String(error);
  const sqlstate = code && /^[0-9A-Z]{5}$/.test(code) ? code : undefined;

  if (code && NETWORK_CODES[code])
    return { text: NETWORK_CODES[code], sqlstate: undefined, connectionLost: true };
  if (!sqlstate) {
    const lost = LOST_MESSAGES.some((pattern) => pattern.test(message));
    return {
      text: lost ? `the connection was lost (${message})` : message,
      sqlstate: undefined,
      connectionLost: lost,
    };
  }
  const known = BY_SQLSTATE[sqlstate] ?? BY_CLASS[sqlstate.slice(0, 2)];
  const server = `${message} [SQLSTATE ${sqlstate}]`;
  if (!known) return { text: server, sqlstate, connectionLost: false };
  return { text: `${known.words}: ${server}`, sqlstate, connectionLost: known.lost ?? false };
}

/**
 * The server's own words and SQLSTATE, without interpretation (for one row's failure in a report).
 */
export function serverMessage(error: unknown): string {
  if (error instanceof DatabaseError) return error.detail;
  const e = (error ?? {}) as { code?: unknown; message?: unknown };
  const message = (typeof e.message === 'string' && e.message.trim()) || String(error);
  return typeof e.code === 'string' && /^[0-9A-Z]{5}$/.test(e.code)
    ? `${message} [SQLSTATE ${e.code}]`
    : message;
}

/**
 * Errors that belong to one row's write (its values, a constraint, a row lock
 * held too long), after which the batch can roll back to the row's savepoint
 * and go on. Anything else stops the run.
 */
export function isRowLevel(sqlstate: string | undefined): boolean {
  if (!sqlstate) return false;
  return (
    ['22', '23', 'P0'].includes(sqlstate.slice(0, 2)) ||
    sqlstate === '55P03' ||
    sqlstate === '40P01' ||
    sqlstate === '40001'
  );
}
