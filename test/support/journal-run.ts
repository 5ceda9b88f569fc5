import type { AnyDb } from '../../src/db/driver/connect.js';
import { ensureJournal, startRun } from '../../src/db/sfsync/journal.js';

/**
 * The sfsync schema and one run record, for tests that journal writes without running a repair
 * (the run's lock session is none).
 */
export async function startBareRun(db: AnyDb, runId: string): Promise<void> {
  await ensureJournal(db);
  await startRun(db, {
    runId,
    command: 'backfill',
    actor: 't',
    host: 'h',
    commandLine: '',
    dryRun: false,
    lock: { pid: 0, backendStart: '0' },
  });
}
