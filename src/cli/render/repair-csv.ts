import type { RepairResult } from '../../ops/repair.js';
import { renderCsv } from './csv.js';

export const REPAIR_CSV_COLUMNS = ['entity', 'key', 'action', 'status', 'class', 'code', 'mirror_id', 'deleted_ids', 'reason', 'error'] as const;

/** One row per planned or applied action, in the order they were carried out. */
export function renderRepairCsv(result: RepairResult): string {
  return renderCsv(
    REPAIR_CSV_COLUMNS,
    result.actions.map((a) => [a.entity, a.key, a.action, a.status, a.class, a.code, a.mirrorId, a.deleteIds.join(' '), a.reason, a.detail]),
  );
}
