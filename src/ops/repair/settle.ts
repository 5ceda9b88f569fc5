import type { WritableEntity } from '../../config/types.js';
import { TRIGGER_LOG_TABLES } from '../../core/connect/heroku-connect.js';
import { noOutcomes, settle, type OutcomeCounts } from '../../core/repair/confirm.js';
import { readTriggerLog } from '../../db/audit/read-mirror.js';
import { readOnlyTransaction } from '../../db/driver/transactions.js';
import {
  recordOutcomes,
  unsettledEntries,
  writtenRows,
  type SettledEntry,
} from '../../db/sfsync/outcomes.js';
import type { Databases } from '../databases.js';

/** Journal entries settled at a time: one read of their rows and one update. */
const PAGE = 2_000;

export interface SettleScope {
  /** Only this run's writes; otherwise every run's still unsettled ones. */
  readonly runId?: string | undefined;
  /** The wait is over: what is still pending is unconfirmed. */
  readonly final: boolean;
}

/**
 * Settles the outcome of the rows sfsync sent to these entities (core/repair/confirm.ts), writes
 * it to the journal, and counts it. A run without --wait leaves its writes to the next run's
 * settling; rows left unconfirmed are looked at again each time.
 */
export async function settleWrites(
  dbs: Databases,
  entities: readonly WritableEntity[],
  scope: SettleScope,
): Promise<OutcomeCounts> {
  const counts = noOutcomes();
  const hasTriggerLog = TRIGGER_LOG_TABLES.every((t) => dbs.mirrorCatalog.tables.has(t));
  for (const entity of entities) {
    const mirror = dbs.tables.mirrors.get(entity.name)!;
    let afterId = '0';
    for (;;) {
      const page = await unsettledEntries(dbs.mirror.db, entity.name, {
        runId: scope.runId,
        afterId,
        limit: PAGE,
      });
      if (page.length === 0) break;
      afterId = page.at(-1)!.id;
      const ids = page.map((e) => e.mirrorId);
      const { rows, log } = await readOnlyTransaction(dbs.mirror.db, async (trx) => ({
        rows: await writtenRows(trx, mirror, ids),
        log: hasTriggerLog ? await readTriggerLog(trx, mirror, ids) : new Map(),
      }));
      const settled: SettledEntry[] = [];
      for (const entry of page) {
        const row = rows.get(entry.mirrorId);
        const entryLog = log.get(entry.mirrorId);
        const result = settle(
          {
            present: row !== undefined,
            sfid: row?.sfid ?? null,
            lastop: row?.lastop ?? null,
            hcErr: row?.hcErr ?? null,
            logState: entryLog?.state ?? null,
            logMessage: entryLog?.sfMessage ?? null,
            hasTriggerLog,
          },
          scope.final,
        );
        if (!result) {
          counts.pending++;
          continue;
        }
        counts[result.outcome]++;
        settled.push({ id: entry.id, outcome: result.outcome, code: result.code });
      }
      await recordOutcomes(dbs.mirror.db, settled);
      if (page.length < PAGE) break;
    }
  }
  return counts;
}
