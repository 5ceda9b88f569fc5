import type { AuditResult } from '../core/audit/result.js';
import { renderCsv } from './csv.js';
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
  return renderCsv(
    AUDIT_CSV_COLUMNS,
    result.entities.flatMap((e) =>
      e.mismatches.map((m) => [
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
      ]),
    ),
  );
}
