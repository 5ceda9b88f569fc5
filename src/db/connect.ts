import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { resolveUrl } from '../config/resolve-url.js';
import type { DatabaseTarget } from '../config/types.js';
import { DatabaseError } from '../errors.js';
import { describeUrl } from './describe-url.js';

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
  close(): Promise<void>;
}

export interface ConnectOptions {
  env?: NodeJS.ProcessEnv;
  configFile?: string;
  maxConnections?: number;
  /** Keep connections open however long they idle (a session-level lock lives on one). */
  holdSession?: boolean;
  /** Session settings for every connection, libpq style (`-c name=value`). */
  sessionOptions?: string;
}

/** Opens a pool and proves it works, so an unreachable database fails here with one clear message. */
export async function connect(target: DatabaseTarget, options: ConnectOptions = {}): Promise<Connection> {
  const url = resolveUrl(target, options.env, options.configFile);
  const label = describeUrl(url);
  const pool = new pg.Pool({
    connectionString: url,
    types: { getTypeParser: typeParser },
    max: options.maxConnections ?? 4,
    application_name: 'sfsync',
    connectionTimeoutMillis: 10_000,
    idleTimeoutMillis: options.holdSession ? 0 : 10_000,
    ...(options.sessionOptions ? { options: options.sessionOptions } : {}),
  });
  // An idle client that loses its server emits 'error' on the pool; without a
  // listener that would crash the process instead of failing the next query.
  pool.on('error', () => undefined);
  const db: AnyDb = new Kysely({ dialect: new PostgresDialect({ pool }) });
  try {
    await sql`select 1`.execute(db);
  } catch (error) {
    await db.destroy().catch(() => undefined);
    throw new DatabaseError(`cannot connect to the ${target.role} database (${label}): ${pgErrorText(error)}`);
  }
  return { role: target.role, schema: target.schema, label, db, close: () => db.destroy() };
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

/** A PostgreSQL or network error as one line, without the stack. */
export function pgErrorText(error: unknown): string {
  if (error instanceof AggregateError && error.errors.length > 0) return pgErrorText(error.errors[0]);
  const e = error as { code?: string; message?: string };
  const message = e.message?.trim() || String(error);
  if (e.code === 'ECONNREFUSED') return 'connection refused (is the server running, and is the port right?)';
  if (e.code === 'ENOTFOUND') return 'host not found';
  return e.code && /^[0-9A-Z]{5}$/.test(e.code) ? `${message} [SQLSTATE ${e.code}]` : message;
}
