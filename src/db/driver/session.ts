import { Kysely, PostgresDialect, sql, type RawBuilder } from 'kysely';
import pg from 'pg';
import type { RowBatch } from '../../core/methods/row-batch.js';
import type { AnyDb } from './connect.js';
import { BinaryCopyOut } from './copy-out.js';
import {
  observe,
  toDatabaseError,
  type AdapterOptions,
  type PoolAccess,
  type Where,
} from './pool-adapter.js';

/** A result column's type as the server reports it (a domain as its base type). */
export interface ColumnType {
  /** The result column's name. */
  readonly column: string;
  readonly oid: number;
  /** format_type without modifiers: `text`, `timestamp with time zone`, … */
  readonly name: string;
  /**
   * node-postgres hands its values over as the server's own text (or, for
   * integers, a number that prints the same), so what JavaScript compares is
   * what `concat(value)` gives in SQL.
   */
  readonly textStable: boolean;
}

/**
 * A query for COPY, whose values travel as transaction-local settings: COPY takes no bind
 * parameters.
 */
export interface CopyQuery {
  readonly query: RawBuilder<unknown>;
  /** Columns per row. */
  readonly width: number;
  readonly settings: ReadonlyMap<string, string>;
}

/**
 * One database session: kysely statements, COPY reads and descriptions all on the same connection
 * (and so in one transaction).
 */
export interface Session {
  readonly db: AnyDb;
  describe(query: RawBuilder<unknown>): Promise<ColumnType[]>;
  copyRows(copy: CopyQuery): AsyncGenerator<RowBatch>;
}

/**
 * Builds a CopyQuery's values: each becomes `current_setting('sfsync.vN')`, set by a bound
 * parameter before the COPY.
 */
export class CopyValues {
  private readonly values = new Map<string, string>();

  value(value: string): RawBuilder<string> {
    const name = `sfsync.v${this.values.size + 1}`;
    this.values.set(name, value);
    return sql<string>`current_setting(${sql.lit(name)})`;
  }

  copy(query: RawBuilder<unknown>, width: number): CopyQuery {
    return { query, width, settings: new Map(this.values) };
  }
}

const INTEGER_OIDS = new Set([20, 21, 23, 26]);
const TEXT_PARSER = pg.types.getTypeParser(25, 'text');

export async function runSession<T>(
  access: PoolAccess,
  where: Where,
  options: AdapterOptions,
  work: (session: Session) => Promise<T>,
): Promise<T> {
  const { client, adapter } = await access.checkout();
  const pinned = { query: adapter.query, release: () => undefined };
  const db: AnyDb = new Kysely({
    dialect: new PostgresDialect({
      pool: { connect: async () => pinned, end: async () => undefined },
    }),
  });
  let copying: BinaryCopyOut | undefined;
  let broken = false;

  const session: Session = {
    db,
    async describe(query) {
      const compiled = query.compile(db);
      const described = (await adapter.query(
        `select * from (${compiled.sql}) as described limit 0`,
        compiled.parameters,
      )) as unknown as pg.QueryResult;
      const oids = described.fields.map((f) => f.dataTypeID);
      const columns = described.fields.map((f) => f.name);
      const { rows } = await sql<{ oid: number; name: string }>`
        select oid::int as oid, format_type(oid, null) as name
          from pg_type where oid = any(${oids}::oid[])`.execute(db);
      const names = new Map(rows.map((r) => [r.oid, r.name]));
      return oids.map((oid, i) => ({
        column: columns[i]!,
        oid,
        name: names.get(oid) ?? 'unknown',
        textStable: INTEGER_OIDS.has(oid) || pg.types.getTypeParser(oid, 'text') === TEXT_PARSER,
      }));
    },
    async *copyRows(copy) {
      const compiled = copy.query.compile(db);
      if (compiled.parameters.length > 0)
        throw new Error('internal: a COPY query with bind parameters (use CopyValues)');
      if (copy.settings.size > 0) {
        const entries = [...copy.settings];
        const setConfigs = entries.map(([name, value]) => sql`set_config(${name}, ${value}, true)`);
        await sql`select ${sql.join(setConfigs)}`.execute(db);
      }
      const text = `copy (${compiled.sql}) to stdout (format binary)`;
      await observe(client, where, options, text);
      const reader = new BinaryCopyOut(text, copy.width);
      copying = reader;
      client.query(reader as unknown as pg.QueryConfig);
      try {
        yield* reader.batches();
      } catch (error) {
        broken = true;
        throw toDatabaseError(error, where);
      } finally {
        if (reader.active) broken = true;
        copying = undefined;
      }
    },
  };

  try {
    return await work(session);
  } catch (error) {
    broken ||=
      error instanceof Error &&
      'connectionLost' in error &&
      (error as { connectionLost?: boolean }).connectionLost === true;
    throw error;
  } finally {
    // A session left mid-COPY (or lost) is closed, never handed to the next user of the pool.
    if (broken || copying?.active) client.release(new Error('session abandoned mid-stream'));
    else client.release();
    await db.destroy().catch(() => undefined);
  }
}
