import { sql, type Transaction } from 'kysely';
import type { Outcome } from '../../core/repair/confirm.js';
import { SENT_ACTIONS } from '../../core/repair/confirm.js';
import type { AnyDb } from '../driver/connect.js';
import type { MirrorTable } from '../entity-tables.js';
import { sfsyncTables } from './tables.js';

// The outcome of each row a run sent (sfsync.journal.outcome): read in pages by journal id, the
// rows looked up by mirror id (the primary key), settled outcomes written back in one statement.

/** A journal entry whose row was sent and is not settled for good. */
export interface UnsettledEntry {
  readonly id: string;
  readonly runId: string;
  readonly mirrorId: number;
}

/**
 * The next page of an entity's entries to settle, after journal id `afterId`: those not settled,
 * and those left unconfirmed, which a later look may settle. `runId`: only that run's.
 */
export async function unsettledEntries(
  db: AnyDb,
  entity: string,
  page: { readonly runId?: string | undefined; readonly afterId: string; readonly limit: number },
): Promise<UnsettledEntry[]> {
  let query = sfsyncTables(db)
    .selectFrom('sfsync.journal')
    .select(['id', 'run_id', 'mirror_id'])
    .where('entity', '=', entity)
    .where('id', '>', page.afterId)
    .where('action', 'in', [...SENT_ACTIONS])
    .where('mirror_id', 'is not', null)
    .where((eb) => eb.or([eb('outcome', 'is', null), eb('outcome', '=', 'unconfirmed')]));
  if (page.runId) query = query.where('run_id', '=', page.runId);
  const rows = await query.orderBy('id').limit(page.limit).execute();
  return rows.map((r) => ({ id: String(r.id), runId: r.run_id, mirrorId: r.mirror_id! }));
}

/** The mirror rows by id, as confirmation needs them. */
export async function writtenRows(
  trx: Transaction<any>,
  mirror: MirrorTable,
  ids: readonly number[],
): Promise<Map<number, { sfid: string | null; lastop: string | null; hcErr: string | null }>> {
  if (ids.length === 0) return new Map();
  const { rows } = await sql<{
    id: number;
    sfid: string | null;
    lastop: string | null;
    hc_err: string | null;
  }>`select m.id, m.sfid, m._hc_lastop as lastop, m._hc_err as hc_err
       from ${mirror.table} as m where m.id = any(${[...ids]}::int[])`.execute(trx);
  return new Map(rows.map((r) => [r.id, { sfid: r.sfid, lastop: r.lastop, hcErr: r.hc_err }]));
}

export interface SettledEntry {
  readonly id: string;
  readonly outcome: Outcome;
  readonly code: string | null;
}

export async function recordOutcomes(db: AnyDb, settled: readonly SettledEntry[]): Promise<void> {
  if (settled.length === 0) return;
  await sql`
    update sfsync.journal as j
       set outcome = s.outcome, outcome_code = s.code, settled_at = clock_timestamp()
      from unnest(${settled.map((s) => s.id)}::bigint[], ${settled.map((s) => s.outcome)}::text[],
                  ${settled.map((s) => s.code)}::text[]) as s(id, outcome, code)
     where j.id = s.id`.execute(db);
}
