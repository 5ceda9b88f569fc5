import type { ResolvedTarget } from '../config/types.js';
import { quoteIdent } from '../core/repair/grants.js';
import { DatabaseError, UsageError } from '../errors.js';
import { connect, type Connection, type SessionTimeouts } from '../db/driver/connect.js';
import { journalExists, listRuns, readRun } from '../db/sfsync/journal.js';
import type { JournalView } from '../core/journal/views.js';
import { currentRole } from '../db/driver/server-facts.js';

/** The runs in the mirror database's journal, or one run's changes; needs only the mirror. */
export async function readJournal(
  target: ResolvedTarget,
  options: { runId?: string | undefined; limit: number; timeouts?: SessionTimeouts | undefined },
): Promise<JournalView> {
  const mirror = await connect(target, {
    maxConnections: 1,
    purpose: 'journal',
    timeouts: options.timeouts,
  });
  try {
    return await read(mirror, options);
  } catch (error) {
    if (!(error instanceof DatabaseError && error.sqlstate === '42501')) throw error;
    const role = quoteIdent(await currentRole(mirror.db));
    throw new DatabaseError(
      `the mirror database role ${role} may not read sfsync's journal. ` +
        'As the database owner, run:\n' +
        `  GRANT USAGE ON SCHEMA sfsync TO ${role};\n` +
        `  GRANT SELECT ON TABLE sfsync.runs, sfsync.journal TO ${role};`,
      { database: 'mirror', sqlstate: '42501', cause: error },
    );
  } finally {
    await mirror.close();
  }
}

async function read(
  mirror: Connection,
  options: { runId?: string | undefined; limit: number },
): Promise<JournalView> {
  if (!(await journalExists(mirror.db))) {
    if (options.runId)
      throw new UsageError(
        `no run ${options.runId}: sfsync has not written to this mirror database yet`,
      );
    return { kind: 'runs', runs: [] };
  }
  if (!options.runId) return { kind: 'runs', runs: await listRuns(mirror.db, options.limit) };
  const { run, entries } = await readRun(mirror.db, options.runId);
  if (!run)
    throw new UsageError(
      `no run matches ${options.runId} (or the prefix is not unique): ` +
        'list runs with `sfsync journal`',
    );
  return { kind: 'run', run, entries };
}
