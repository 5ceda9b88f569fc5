import { sql, type RawBuilder, type Transaction } from 'kysely';
import type { LogEntry } from '../../core/why/story.js';
import type { MirrorTable } from '../entity-tables.js';

export type LogTable = LogEntry['table'];

interface LogRow {
  log: LogTable;
  id: number;
  record_id: number;
  action: string | null;
  state: string | null;
  sf_message: string | null;
  created_at: Date | null;
  processed_at: Date | null;
}

/**
 * Every entry of these mirror rows in Connect's logs (those of `tables` the mirror has), by id.
 * Connect keys both by (table_name, record_id). The archive, which keeps 31 days of processed
 * entries, has an index on record_id; the live `_trigger_log` has none (only created_at,
 * (state, id) and a partial one for NEW/PENDING), so its part is a scan of the live log: Connect
 * moves processed entries to the archive, which keeps that table to its backlog. sfsync adds no
 * index to Connect's tables.
 */
export function triggerLogQuery(
  { schema, name }: MirrorTable,
  ids: readonly number[],
  tables: readonly LogTable[],
): RawBuilder<LogRow> {
  const part = (log: LogTable) => sql`
    select ${log}::text as log, l.id, l.record_id, l.action, l.state, l.sf_message,
           l.created_at, l.processed_at
      from ${sql.table(`${schema}.${log}`)} as l
     where l.table_name = ${name} and l.record_id = any(${[...ids]}::int[])`;
  return sql<LogRow>`
    select e.* from (${sql.join(tables.map(part), sql` union all `)}) as e
     order by e.id, e.log`;
}

export async function readLogEntries(
  trx: Transaction<any>,
  mirror: MirrorTable,
  ids: readonly number[],
  tables: readonly LogTable[],
): Promise<LogEntry[]> {
  if (ids.length === 0 || tables.length === 0) return [];
  const { rows } = await triggerLogQuery(mirror, ids, tables).execute(trx);
  return rows.map((r) => ({
    table: r.log,
    id: Number(r.id),
    recordId: Number(r.record_id),
    action: r.action,
    state: r.state,
    sfMessage: r.sf_message,
    createdAt: r.created_at,
    processedAt: r.processed_at,
  }));
}
