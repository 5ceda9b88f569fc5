import type { PostgresPool, PostgresPoolClient } from 'kysely';
import type pg from 'pg';
import { DatabaseError } from '../../errors.js';
import { describeDatabaseFailure, serverMessage } from './sqlstate.js';

/** Which database a pool talks to, for messages: never the URL. */
export interface Where {
  readonly role: 'source' | 'mirror';
  readonly label: string;
  readonly purpose: string;
}

export interface SessionTimeouts {
  /** statement_timeout in ms; 0 means none. */
  readonly statementMs?: number | undefined;
  /** lock_timeout in ms; 0 means none. */
  readonly lockMs?: number | undefined;
}

export interface QueryEvent {
  readonly database: 'source' | 'mirror';
  readonly purpose: string;
  /** The backend's process id (pg_stat_activity.pid). */
  readonly pid: number;
  readonly sql: string;
}

export type QueryObserver = (event: QueryEvent) => void | Promise<void>;

export interface AdapterOptions {
  readonly timeouts?: SessionTimeouts | undefined;
  readonly onQuery?: QueryObserver | undefined;
  /** Called when a session of this pool dies (the lock's owner must know at once). */
  readonly onSessionLost?: ((error: DatabaseError) => void) | undefined;
}

/**
 * What kysely sees of a node-postgres pool. Every statement goes through here,
 * which gives three guarantees in one place:
 * - the extended query protocol for every statement, so a trusted SQL fragment
 *   can never smuggle in a second statement (`…; commit; drop …`);
 * - every failure becomes a DatabaseError naming the database it came from;
 * - a client that loses its server while checked out cannot crash the process
 *   with an unhandled 'error' event (pg-pool only listens while it is idle).
 */
export function adaptPool(pool: pg.Pool, access: PoolAccess): PostgresPool {
  return {
    connect: async () => (await access.checkout()).adapter,
    end: () => pool.end(),
  };
}

/** A client taken from the pool, both as kysely sees it and as node-postgres does (for COPY). */
export interface Checkout {
  readonly client: pg.PoolClient;
  readonly adapter: PostgresPoolClient;
}

export interface PoolAccess {
  checkout(): Promise<Checkout>;
  /**
   * Bytes received from the server on every session this pool has opened (the sockets' own
   * counters).
   */
  bytesRead(): number;
  /**
   * Once the pool has ended: waits up to `graceMs` for its sessions' sockets
   * to close, then closes those still open. A session whose server went silent
   * (a NAT or proxy that dropped the connection without a word) never answers
   * the goodbye, and its half-closed socket would keep the process alive for as
   * long as TCP keeps trying.
   */
  closeSockets(graceMs: number): Promise<void>;
  /**
   * Closes every session's socket now: a statement still waiting on one fails, and its session goes
   * back to the pool.
   */
  cutSockets(): void;
}

interface SessionSocket {
  readonly bytesRead: number;
  readonly destroyed: boolean;
  destroy(): void;
  once(event: 'close', listener: () => void): void;
}

/** The pool's clients, each set up once (timeouts, error listener) however it is checked out. */
export function poolAccess(pool: pg.Pool, where: Where, options: AdapterOptions): PoolAccess {
  const adapters = new WeakMap<pg.PoolClient, PostgresPoolClient>();
  const sockets = new Set<SessionSocket>();
  return {
    async checkout() {
      let client: pg.PoolClient;
      try {
        client = await pool.connect();
      } catch (error) {
        throw toDatabaseError(error, where);
      }
      let adapter = adapters.get(client);
      if (!adapter) {
        client.on('error', (error: Error) =>
          options.onSessionLost?.(toDatabaseError(error, where)),
        );
        try {
          await applyTimeouts(client, options.timeouts);
        } catch (error) {
          client.release(error as Error);
          throw toDatabaseError(error, where);
        }
        adapter = adaptClient(client, where, options);
        adapters.set(client, adapter);
        const socket = (client as unknown as { connection?: { stream?: SessionSocket } }).connection
          ?.stream;
        if (socket) sockets.add(socket);
      }
      return { client, adapter };
    },
    bytesRead: () => [...sockets].reduce((sum, socket) => sum + socket.bytesRead, 0),
    async closeSockets(graceMs) {
      const open = [...sockets].filter((socket) => !socket.destroyed);
      if (open.length === 0) return;
      let timer: NodeJS.Timeout | undefined;
      const closed = Promise.all(
        open.map((socket) => new Promise<void>((resolve) => socket.once('close', resolve))),
      );
      await Promise.race([
        closed,
        new Promise<void>((resolve) => (timer = setTimeout(resolve, graceMs))),
      ]);
      clearTimeout(timer);
      for (const socket of open) if (!socket.destroyed) socket.destroy();
    },
    cutSockets() {
      for (const socket of sockets) socket.destroy();
    },
  };
}

/** Awaits the observer before a statement (tracing; fault injection in tests). */
export async function observe(
  client: pg.PoolClient,
  where: Where,
  options: AdapterOptions,
  text: string,
): Promise<void> {
  await options.onQuery?.({
    database: where.role,
    purpose: where.purpose,
    pid: (client as { processID?: number }).processID ?? 0,
    sql: text,
  });
}

function adaptClient(
  client: pg.PoolClient,
  where: Where,
  options: AdapterOptions,
): PostgresPoolClient {
  const run = async (text: string, parameters: readonly unknown[]) => {
    await observe(client, where, options, text);
    try {
      // `queryMode` is node-postgres's switch to the extended protocol even without parameters (not
      // in @types/pg yet).
      return await client.query({
        text,
        values: [...parameters],
        queryMode: 'extended',
      } as pg.QueryConfig);
    } catch (error) {
      throw toDatabaseError(error, where);
    }
  };
  return {
    query: ((text: string, parameters: readonly unknown[]) =>
      run(text, parameters)) as unknown as PostgresPoolClient['query'],
    // pg-pool gives the client a new release function at every checkout: look it up each time.
    release: () => client.release(),
  };
}

/** Only the timeouts given are set, so a role's own defaults stay for the rest. */
async function applyTimeouts(
  client: pg.PoolClient,
  timeouts: SessionTimeouts | undefined,
): Promise<void> {
  const settings = [
    ['statement_timeout', timeouts?.statementMs],
    ['lock_timeout', timeouts?.lockMs],
  ].filter((entry): entry is [string, number] => entry[1] !== undefined);
  if (settings.length === 0) return;
  const setConfigs = settings.map((_, i) => `set_config($${2 * i + 1}, $${2 * i + 2}, false)`);
  await client.query({
    text: `select ${setConfigs.join(', ')}`,
    values: settings.flatMap(([name, ms]) => [name, `${ms}ms`]),
  });
}

export function toDatabaseError(
  error: unknown,
  where: Pick<Where, 'role' | 'label'>,
): DatabaseError {
  if (error instanceof DatabaseError) return error;
  const failure = describeDatabaseFailure(error);
  return new DatabaseError(`${where.role} database (${where.label}): ${failure.text}`, {
    database: where.role,
    sqlstate: failure.sqlstate,
    connectionLost: failure.connectionLost,
    detail: serverMessage(error),
    cause: error,
  });
}
