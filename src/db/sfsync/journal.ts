import { type RawBuilder, sql, type Transaction } from 'kysely';
import { redactDeep, redactSecrets } from '../../core/redact.js';
import type { AnyDb } from '../driver/connect.js';
import { heldBySession } from './lock.js';
import { retryOnLostConnection } from '../driver/retry-lost-connection.js';
import { jsonValue, sfsyncTables } from './tables.js';
import { journalSchemaVersion } from './journal-schema.js';
import type { JournalEntryView, RunStatus, RunView } from '../../core/journal/views.js';

/**
 * sfsync's own records in the mirror database (schema `sfsync`, see
 * journal-schema.ts): one row per run, one journal row per change with the
 * full row before and after, and backfill checkpoints. Nothing a repair
 * removes is lost: it is here.
 */
export { ensureJournal } from './journal-schema.js';

export interface RunRecord {
  readonly runId: string;
  readonly command: string;
  readonly actor: string;
  readonly host: string;
  readonly commandLine: string;
  readonly dryRun: boolean;
  readonly lock: { readonly pid: number; readonly backendStart: string };
}

export async function startRun(db: AnyDb, run: RunRecord): Promise<void> {
  await sfsyncTables(db)
    .insertInto('sfsync.runs')
    .values({
      run_id: run.runId,
      command: run.command,
      actor: run.actor,
      host: run.host,
      command_line: redactSecrets(run.commandLine),
      dry_run: run.dryRun,
      lock_pid: run.lock.pid,
      lock_backend_start: run.lock.backendStart,
    })
    .execute();
}

/**
 * Records how a run ended. Often called just after a session of the pool died
 * (that is why the run is ending), so a lost connection is retried: each try
 * takes another session, and the pool drops a dead one once its error is seen.
 */
export async function finishRun(
  db: AnyDb,
  runId: string,
  status: Exclude<RunStatus, 'running'>,
  summary: unknown,
): Promise<void> {
  await retryOnLostConnection(
    () =>
      sfsyncTables(db)
        .updateTable('sfsync.runs')
        .set({
          finished_at: sql<Date>`clock_timestamp()`,
          status,
          summary: jsonValue(redactDeep(summary)),
        })
        .where('run_id', '=', runId)
        .execute(),
    FINISH_ATTEMPTS,
  );
}

const FINISH_ATTEMPTS = 5;

export interface JournalEntry {
  readonly runId: string;
  readonly entity: string;
  readonly mirrorTable: string;
  readonly action: string;
  readonly key: string;
  readonly mirrorId: number | null;
  readonly before: unknown;
  readonly after: unknown;
  /** Values sfsync changed to fit the mirror column, by column. */
  readonly adjusted?: unknown;
}

/** Written in the same transaction as the change it records. */
export async function journal(trx: Transaction<any> | AnyDb, entry: JournalEntry): Promise<void> {
  await sfsyncTables(trx)
    .insertInto('sfsync.journal')
    .values({
      run_id: entry.runId,
      entity: entry.entity,
      mirror_table: entry.mirrorTable,
      action: entry.action,
      key: entry.key,
      mirror_id: entry.mirrorId,
      before: jsonValue(entry.before),
      after: jsonValue(entry.after),
      adjusted: jsonValue(entry.adjusted),
    })
    .execute();
}

/** Who journals the rows a bulk statement changes. */
export interface ChangeJournal {
  readonly runId: string;
  readonly entity: string;
  readonly mirrorTable: string;
}

/**
 * `insert` (… RETURNING m.id, to_jsonb(m.*) as image) and the journal entry
 * of every row it inserts, in one statement; `keys[i]` and `adjusted[i]`
 * belong to the i-th row inserted (RETURNING follows VALUES). Returns the
 * mirror ids journaled, in that order.
 */
export function journalInserted(
  insert: RawBuilder<unknown>,
  by: ChangeJournal,
  keys: readonly string[],
  adjusted: readonly unknown[],
) {
  return sql<{ mirror_id: number }>`
    with changed as (${insert}),
         numbered as (select row_number() over () as i, id, image from changed)
    insert into sfsync.journal
           (run_id, entity, mirror_table, action, key, mirror_id, before, after, adjusted)
    select ${by.runId}::uuid, ${by.entity}::text, ${by.mirrorTable}::text,
           'insert', a.key, n.id, null, n.image, a.adjusted
      from numbered n
      join unnest(${[...keys]}::text[], ${adjusted.map(jsonValue)}::jsonb[])
           with ordinality as a(key, adjusted, i) on a.i = n.i
     order by n.i
    returning mirror_id`;
}

/**
 * `remove` (… RETURNING m.id, to_jsonb(m.*) as image) and the journal entry
 * of every row it deletes, in one statement, in the order of `ids` (whose
 * keys are `keys`). Returns the mirror ids deleted.
 */
export function journalDeleted(
  remove: RawBuilder<unknown>,
  by: ChangeJournal,
  ids: readonly number[],
  keys: readonly string[],
) {
  return sql<{ mirror_id: number }>`
    with changed as (${remove})
    insert into sfsync.journal
           (run_id, entity, mirror_table, action, key, mirror_id, before, after)
    select ${by.runId}::uuid, ${by.entity}::text, ${by.mirrorTable}::text,
           'delete', a.key, c.id, c.image, null
      from changed c
      join unnest(${[...ids]}::int[], ${[...keys]}::text[])
           with ordinality as a(id, key, i) on a.id = c.id
     order by a.i
    returning mirror_id`;
}

export async function journalExists(db: AnyDb): Promise<boolean> {
  const { rows } = await sql<{
    found: boolean;
  }>`select to_regclass('sfsync.journal') is not null as found`.execute(db);
  // A select without from always returns its one row.
  return rows[0]!.found;
}

/**
 * Runs as shown: command lines and summaries redacted (rows stored by older
 * versions may hold a password), and a `running` run whose lock session no
 * longer holds the write lock reported as `abandoned` (its process was killed).
 */
function runs(db: AnyDb) {
  const stillHeld = heldBySession(sql.ref('r.lock_pid'), sql.ref('r.lock_backend_start'));
  return sfsyncTables(db)
    .selectFrom('sfsync.runs as r')
    .select([
      'r.run_id as runId',
      'r.command',
      'r.started_at as startedAt',
      'r.finished_at as finishedAt',
      'r.actor',
      'r.host',
      'r.command_line as commandLine',
      'r.dry_run as dryRun',
      'r.summary',
      sql<RunView['status']>`case when r.status = 'running' and not ${stillHeld}
                                  then 'abandoned' else r.status end`.as('status'),
      sql<number>`(select count(*) from sfsync.journal j where j.run_id = r.run_id)::int`.as(
        'changes',
      ),
    ]);
}

function shown(run: RunView): RunView {
  return {
    ...run,
    commandLine: run.commandLine === null ? null : redactSecrets(run.commandLine),
    summary: redactDeep(run.summary),
  };
}

export async function listRuns(db: AnyDb, limit: number): Promise<RunView[]> {
  const rows = await runs(db).orderBy('r.started_at', 'desc').limit(limit).execute();
  return rows.map(shown);
}

/** A run by its id or a unique prefix of it, with every change it made in order. */
export async function readRun(
  db: AnyDb,
  runId: string,
): Promise<{ run: RunView | undefined; entries: JournalEntryView[] }> {
  const found = await runs(db)
    .where((eb) =>
      eb.or([
        eb(sql<string>`r.run_id::text`, '=', runId),
        eb(sql<string>`r.run_id::text`, 'like', `${runId}%`),
      ]),
    )
    .orderBy('r.started_at', 'desc')
    .limit(2)
    .execute();
  const run = found.length === 1 ? found[0] : found.find((r) => r.runId === runId);
  if (!run) return { run: undefined, entries: [] };
  // A schema from before outcomes (version 4) has no outcome to show.
  const outcomes = (await journalSchemaVersion(db)) >= 4;
  const entries = await sfsyncTables(db)
    .selectFrom('sfsync.journal as j')
    .select([
      sql<number>`j.id::int`.as('id'),
      'j.entity',
      'j.mirror_table as mirrorTable',
      'j.action',
      'j.key',
      'j.mirror_id as mirrorId',
      'j.before',
      'j.after',
      'j.adjusted',
      'j.at',
      outcomes ? sql<string | null>`j.outcome`.as('outcome') : sql<null>`null`.as('outcome'),
      outcomes
        ? sql<string | null>`j.outcome_code`.as('outcomeCode')
        : sql<null>`null`.as('outcomeCode'),
    ])
    .where('j.run_id', '=', run.runId)
    .orderBy('j.id')
    .execute();
  return { run: shown(run), entries: entries as JournalEntryView[] };
}
