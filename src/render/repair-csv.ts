import type { Output } from './output.js';
import type { RepairReport } from './action-log.js';
import { chunkedWriter } from './chunked-writer.js';
import { csvLine } from './csv.js';
import { csvChanges, driftChanges } from './field-change.js';

export const REPAIR_CSV_COLUMNS = [
  'entity',
  'key',
  'action',
  'status',
  'class',
  'code',
  'mirror_id',
  'deleted_ids',
  'reason',
  'error',
  'changes',
] as const;

/**
 * One row per planned or applied action, entities in canonical order, each entity's as they were
 * carried out; written as it is read back. Columns are only ever added at the end.
 */
export async function writeRepairCsv(out: Output, report: RepairReport): Promise<void> {
  const writer = chunkedWriter(out);
  await writer.write(csvLine(REPAIR_CSV_COLUMNS));
  for (const a of report.actions()) {
    await writer.write(
      csvLine([
        a.entity,
        a.key,
        a.action,
        a.status,
        a.class,
        a.code,
        a.mirrorId,
        a.deleteIds.join(' '),
        a.reason,
        a.detail,
        csvChanges(driftChanges(a.changes)),
      ]),
    );
  }
  await writer.end();
}
