import type { AuditResult } from '../core/audit/result.js';

/** What the demo's repair left, and why the rest cannot be repaired here. */
export function demoConclusion(before: AuditResult, after: AuditResult): string {
  const left = after.entities.flatMap((e) => [...e.mismatches]);
  const upstream = left.filter(
    (m) =>
      m.class === 'missing_parent' && m.parent?.entity === 'contact' && m.parent.state === 'absent',
  ).length;
  const other = left.length - upstream;
  const othersNote = other > 0 ? ` ${other} other mismatch(es) remain: see above.` : '';
  return (
    `Mismatches: ${before.totals.mismatches} before, ${left.length} after. ` +
    `${upstream} wait for a teacher's Contact that never arrived from upstream: ` +
    `no repair can fix them here, so sfsync defers them.${othersNote}`
  );
}
