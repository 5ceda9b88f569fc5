import pg from 'pg';

/** Runs one statement on the given database as the test's superuser, on a connection of its own. */
export async function adminQuery(
  url: string,
  text: string,
  values: unknown[] = [],
): Promise<pg.QueryResult> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await client.query(text, values);
  } finally {
    await client.end();
  }
}

/**
 * pg_terminate_backend for every session of this database whose
 * application_name is LIKE `name` (sfsync names them `sfsync/<database>/<purpose>`)
 * and, if given, whose running statement is ILIKE `query`; waits until they
 * are gone, so the server has released their locks.
 */
/**
 * The wordings a terminated session surfaces with: the server's own notice when it arrives first,
 * or the socket's end or reset when the kernel's RST wins the race (seen in CI).
 */
export const LOST_SESSION =
  '(the server ended this session|the connection was lost|the connection was reset by the server)';

export async function terminateSessions(url: string, name: string, query = '%'): Promise<number> {
  const database = decodeURIComponent(new URL(url).pathname.slice(1));
  const { rows } = await adminQuery(
    url,
    `SELECT pid FROM pg_stat_activity
      WHERE application_name LIKE $1 AND datname = $2 AND pid <> pg_backend_pid()
        AND ($3 = '%' OR (state = 'active' AND query ILIKE $3))`,
    [name, database, query],
  );
  return terminate(
    url,
    rows.map((r) => r.pid as number),
  );
}

/**
 * Terminates whichever session holds an advisory lock on this database (sfsync's write lock), as
 * terminateSessions does.
 */
export async function terminateLockHolder(url: string): Promise<number> {
  const database = decodeURIComponent(new URL(url).pathname.slice(1));
  const { rows } = await adminQuery(
    url,
    // objsubid 1: a lock taken with one bigint key, as sfsync's write lock is (its per-key row
    // locks use two int keys).
    `SELECT l.pid FROM pg_locks l JOIN pg_database d ON d.oid = l.database
      WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1 AND d.datname = $1`,
    [database],
  );
  return terminate(
    url,
    rows.map((r) => r.pid as number),
  );
}

async function terminate(url: string, pids: number[]): Promise<number> {
  if (pids.length === 0) return 0;
  await adminQuery(url, `SELECT pg_terminate_backend(pid) FROM unnest($1::int[]) AS pid`, [pids]);
  for (let i = 0; i < 500; i++) {
    const alive = await adminQuery(
      url,
      `SELECT count(*)::int AS n FROM pg_stat_activity WHERE pid = ANY($1)`,
      [pids],
    );
    if (alive.rows[0].n === 0) return pids.length;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`sessions ${pids.join(', ')} did not end`);
}

/**
 * How many advisory locks on this database are held or waited for (sfsync's are the only ones in
 * tests).
 */
export async function advisoryLocksHeld(url: string): Promise<number> {
  const database = decodeURIComponent(new URL(url).pathname.slice(1));
  const { rows } = await adminQuery(
    url,
    `SELECT count(*)::int AS n FROM pg_locks l JOIN pg_database d ON d.oid = l.database
      WHERE l.locktype = 'advisory' AND d.datname = $1`,
    [database],
  );
  return rows[0].n as number;
}
