import type { AuditResult } from '../core/audit/result.js';
import { csvLine } from './csv.js';
import { csvChanges, driftChanges } from './field-change.js';

export const AUDIT_CSV_COLUMNS = [
  'entity',
  'key',
  'class',
  'code',
  'policy',
  'repairable',
  'parent_entity',
  'parent_key',
  'parent_state',
  'mirror_id',
  'sfid',
  'lastop',
  'age_seconds',
  'reason',
  'hint',
  'changes',
] as const;

/**
 * One row per mismatch, canonical order: the missing-parent report operators open in a spreadsheet.
 * Columns are only ever added at the end, so a sheet that reads them by position keeps working.
 */
export function renderAuditCsv(result: AuditResult): string {
  return [...auditCsvChunks(result)].join('');
}

/** The CSV a line at a time, so that a spilled list is never in memory whole. */
export function* auditCsvChunks(result: AuditResult): Generator<string> {
  yield csvLine(AUDIT_CSV_COLUMNS);
  for (const e of result.entities)
    for (const m of e.mismatches)
      yield csvLine([
        e.name,
        m.key,
        m.class,
        m.code,
        m.policy,
        m.repairable,
        m.parent?.entity,
        m.parent?.key,
        m.parent?.state,
        m.mirror?.id,
        m.mirror?.sfid,
        m.mirror?.lastop,
        m.ageSeconds,
        m.reason,
        m.hint,
        csvChanges(driftChanges(m.fields)),
      ]);
}
