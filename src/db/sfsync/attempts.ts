import { sql, type Transaction } from 'kysely';
import type { AttemptRecord } from '../../core/repair/attempts.js';
import type { AnyDb } from '../driver/connect.js';
import { sfsyncTables } from './tables.js';

// sfsync.attempts: per entity and key, how often repair re-sent a FAILED row. Written in the
// transaction of the write it counts, so a rolled-back batch counts nothing.

/**
 * Whether this session can read sfsync.attempts: false before the first repair that created it,
 * and for a role without the privilege (an audit's read-only role need not have it).
 */
export async function attemptsReadable(db: AnyDb | Transaction<any>): Promise<boolean> {
  const { rows } = await sql<{ readable: boolean }>`
    select coalesce(bool_or(has_schema_privilege(n.oid, 'USAGE')
                            and has_table_privilege(c.oid, 'SELECT')), false) as readable
      from pg_class c join pg_namespace n on n.oid = c.relnamespace
     where n.nspname = 'sfsync' and c.relname = 'attempts'`.execute(db);
  return rows[0]!.readable;
}

export async function readAttempts(
  db: AnyDb | Transaction<any>,
  entity: string,
  keys: readonly string[],
): Promise<Map<string, AttemptRecord>> {
  if (keys.length === 0) return new Map();
  const rows = await sfsyncTables(db)
    .selectFrom('sfsync.attempts')
    .select(['key', 'attempts', 'last_attempt_at', 'last_code'])
    .where('entity', '=', entity)
    .where('key', '=', sql<string>`any(${[...keys]}::text[])`)
    .execute();
  return new Map(
    rows.map((r) => [
      r.key,
      { attempts: r.attempts, lastAttemptAt: r.last_attempt_at, lastCode: r.last_code },
    ]),
  );
}

/** One re-send to count: `fresh` when the source changed since the failure (a new story). */
export interface Resend {
  readonly key: string;
  readonly code: string | null;
  readonly fresh: boolean;
}

export async function recordAttempts(
  trx: Transaction<any>,
  entity: string,
  runId: string,
  resends: readonly Resend[],
): Promise<void> {
  for (const fresh of [true, false]) {
    const some = resends.filter((r) => r.fresh === fresh);
    if (some.length === 0) continue;
    // A fresh story starts again at 1; otherwise the count goes on.
    const attempts = fresh ? sql`1` : sql`a.attempts + 1`;
    const since = fresh ? sql`excluded.first_attempt_at` : sql`a.first_attempt_at`;
    await sql`
      insert into sfsync.attempts as a
             (entity, key, attempts, first_attempt_at, last_attempt_at, last_code, last_run_id)
      select ${entity}, r.key, 1, clock_timestamp(), clock_timestamp(), r.code, ${runId}::uuid
        from unnest(${some.map((r) => r.key)}::text[], ${some.map((r) => r.code)}::text[])
               as r(key, code)
      on conflict (entity, key) do update
         set attempts = ${attempts}, first_attempt_at = ${since},
             last_attempt_at = excluded.last_attempt_at, last_code = excluded.last_code,
             last_run_id = excluded.last_run_id`.execute(trx);
  }
}

/** Forgets the attempts of these entities (all when none is named); returns how many rows. */
export async function resetAttempts(db: AnyDb, entities?: readonly string[]): Promise<number> {
  if (entities?.length === 0 || !(await attemptsReadable(db))) return 0;
  let query = sfsyncTables(db).deleteFrom('sfsync.attempts');
  if (entities) query = query.where('entity', 'in', entities);
  const result = await query.executeTakeFirst();
  return Number(result.numDeletedRows);
}
