import { sql, type RawBuilder, type Transaction } from 'kysely';
import type { JournalAction } from '../../core/why/story.js';
import { heldBySession } from '../sfsync/lock.js';
import { journalSchemaVersion } from '../sfsync/journal-schema.js';

interface ActionRow {
  id: number;
  run_id: string;
  command: string;
  run_started_at: Date;
  run_status: string;
  action: string;
  mirror_id: number | null;
  before: Record<string, unknown> | null;
  after: Record<string, unknown> | null;
  at: Date;
  outcome: string | null;
  outcome_code: string | null;
}

/**
 * What sfsync did to one record: its journal entries, oldest first, each with its run. `outcomes`:
 * the schema has them (version 4). A run still `running` whose lock session is gone shows as
 * `abandoned`, as `sfsync journal` shows it. By the index journal_record (schema version 4).
 */
export function journalQuery(
  entity: string,
  key: string,
  outcomes: boolean,
): RawBuilder<ActionRow> {
  const stillHeld = heldBySession(sql.ref('r.lock_pid'), sql.ref('r.lock_backend_start'));
  const outcome = outcomes
    ? sql`j.outcome, j.outcome_code`
    : sql`null::text as outcome, null::text as outcome_code`;
  return sql<ActionRow>`
    select j.id::int as id, j.run_id::text as run_id, r.command, r.started_at as run_started_at,
           case when r.status = 'running' and not ${stillHeld} then 'abandoned'
                else r.status end as run_status,
           j.action, j.mirror_id, j.before, j.after, j.at, ${outcome}
      from sfsync.journal as j
      join sfsync.runs as r on r.run_id = j.run_id
     where j.entity = ${entity} and j.key = ${key}
     order by j.id`;
}

/** Whether this session may read sfsync's journal and runs (false before sfsync's first write). */
export async function journalReadable(trx: Transaction<any>): Promise<boolean> {
  const { rows } = await sql<{ readable: boolean }>`
    select count(*) = 2 and coalesce(bool_and(has_schema_privilege(n.oid, 'USAGE')
                                               and has_table_privilege(c.oid, 'SELECT')), false)
           as readable
      from pg_class c join pg_namespace n on n.oid = c.relnamespace
     where n.nspname = 'sfsync' and c.relname in ('journal', 'runs')`.execute(trx);
  return rows[0]!.readable;
}

/** The record's journal entries; none when the journal does not exist or may not be read. */
export async function readJournalActions(
  trx: Transaction<any>,
  entity: string,
  key: string,
): Promise<JournalAction[]> {
  if (!(await journalReadable(trx))) return [];
  const outcomes = (await journalSchemaVersion(trx)) >= 4;
  const { rows } = await journalQuery(entity, key, outcomes).execute(trx);
  return rows.map((r) => ({
    id: r.id,
    runId: r.run_id,
    command: r.command,
    runStartedAt: r.run_started_at,
    runStatus: r.run_status,
    action: r.action,
    mirrorId: r.mirror_id,
    before: r.before,
    after: r.after,
    at: r.at,
    outcome: r.outcome,
    outcomeCode: r.outcome_code,
  }));
}
