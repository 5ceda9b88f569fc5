import { sql, type Kysely } from 'kysely';

/**
 * Whether two sessions are on the same database of the same server, as the
 * same role: the second session finds the first one's backend (pid and start
 * time) in pg_stat_activity, in its own database. URLs cannot tell (a pooler,
 * an alias, a replica); the server can. Then one query may read both schemas.
 */
export async function sameDatabase(first: Kysely<any>, second: Kysely<any>): Promise<boolean> {
  const { rows } = await sql<{ pid: number; started: string | null; role: string }>`
    select pg_backend_pid() as pid, current_user as role,
           (select extract(epoch from a.backend_start)::text
              from pg_stat_activity as a where a.pid = pg_backend_pid()) as started`.execute(first);
  const me = rows[0]!;
  if (me.started === null) return false;
  const { rows: found } = await sql<{ same: boolean }>`
    select exists (select 1 from pg_stat_activity as a
                    where a.pid = ${me.pid}
                      and extract(epoch from a.backend_start)::text = ${me.started}
                      and a.datname = current_database())
           and current_user = ${me.role} as same`.execute(second);
  return found[0]?.same ?? false;
}
