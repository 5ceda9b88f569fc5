import { sql, type Transaction } from 'kysely';
import type { AnyDb } from './connect.js';
import type { DigestFunction } from '../audit/summary-query.js';

/** What sfsync asks a server about itself: its clock, who it is connected as, how it hashes. */

/**
 * The server's clock at the start of the transaction (the audit's "now": ages are measured against
 * it).
 */
export async function serverNow(trx: Transaction<any>): Promise<Date> {
  const { rows } = await sql<{ now: Date }>`select now() as now`.execute(trx);
  return rows[0]!.now;
}

/** The role this session acts as. */
export async function currentRole(db: AnyDb): Promise<string> {
  const { rows } = await sql<{ role: string }>`select current_user as role`.execute(db);
  return rows[0]!.role;
}

const PROBE = 'sfsync digest probe: ascii, ü, ✓, 𝄞';

/**
 * hashtextextended when both servers have it and hash the same text alike (UTF-8 on both, same byte
 * order); else md5.
 */
export async function agreedDigest(
  sourceTrx: Transaction<any>,
  mirrorTrx: Transaction<any>,
): Promise<DigestFunction> {
  const probe = async (trx: Transaction<any>) => {
    const { rows } = await sql<{ version: number; hash: string | null }>`
      select current_setting('server_version_num')::int as version,
             case when current_setting('server_version_num')::int >= 110000
                  then hashtextextended(${PROBE}, 0)::text end as hash`.execute(trx);
    return rows[0]!;
  };
  const [a, b] = await Promise.all([probe(sourceTrx), probe(mirrorTrx)]);
  return a.hash !== null && a.hash === b.hash ? 'hashtextextended' : 'md5';
}
