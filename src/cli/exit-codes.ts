import type { MismatchClass } from '../core/audit/types.js';
import type { ActionStatus } from '../core/repair/plan.js';
import type { Increase } from '../core/history/trend.js';
import { ExitCode } from '../errors.js';
import type { AuditResult } from '../core/audit/result.js';
import type { DoctorReport } from '../core/schema/doctor-report.js';
import { statusCounts, type RepairResult } from '../core/repair/result.js';
import { isFine, type RecordStory } from '../core/why/story.js';

/**
 * How each command's result becomes its exit code, in one place (errors
 * become theirs in run.ts). A cron job reads these; the README lists them.
 */
export function auditExitCode(
  result: AuditResult,
  failOn: readonly MismatchClass[],
  grown?: readonly Increase[],
): number {
  // --fail-on-increase: the classes are counted against the previous recorded run (`grown` is
  // already limited to --fail-on).
  if (grown) return grown.length > 0 ? ExitCode.findings : ExitCode.ok;
  return failOn.some((cls) => result.totals[cls] > 0) ? ExitCode.findings : ExitCode.ok;
}

/**
 * 0 when everything planned was done; 1 when something failed or was deferred. A dry run that
 * computed its plan exits 0, as `terraform plan` does; with `detailed` (--detailed-exit-code), 1
 * when the plan would write or defer anything.
 */
export function repairExitCode(result: RepairResult, detailed = false): number {
  if (result.cancelled) return ExitCode.findings;
  if (result.dryRun && !detailed) return ExitCode.ok;
  const open: ActionStatus[] = result.dryRun
    ? ['planned', 'deferred']
    : ['failed', 'deferred', 'planned'];
  const counts = statusCounts(result.summary);
  return open.some((status) => counts[status] > 0) ? ExitCode.findings : ExitCode.ok;
}

/**
 * An error-level finding is a database problem (3); todo notes left (without
 * --allow-todo) are a config problem (2), the code repair and backfill would refuse with.
 */
export function doctorExitCode(report: DoctorReport): number {
  if (hasErrors(report)) return ExitCode.database;
  return report.ok ? ExitCode.ok : ExitCode.usage;
}

/** init hands over a config with todo notes by design: only a database problem fails it. */
export function initExitCode(report: DoctorReport): number {
  return hasErrors(report) ? ExitCode.database : ExitCode.ok;
}

/** 0 when the record is where it belongs (synced and matching its source); 1 otherwise. */
export function whyExitCode(story: RecordStory): number {
  return isFine(story) ? ExitCode.ok : ExitCode.findings;
}

const hasErrors = (report: DoctorReport) =>
  report.findings.some((finding) => finding.level === 'error');
