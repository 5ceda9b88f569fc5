import type { EntityGraph } from '../core/entities/graph.js';
import type { Output } from './output.js';
import type { Paint } from './paint.js';
import type { RepairReport } from './action-log.js';
import { renderRepairTable, writeRepairJson } from './repair.js';
import { writeRepairCsv } from './repair-csv.js';
import { renderRepairMarkdown } from './repair-markdown.js';

export { renderPlanSummary } from './repair.js';

export interface RepairStyle {
  readonly details: number;
  readonly width: number;
  readonly paint: Paint;
  readonly graph: EntityGraph;
}

/** Whether a format lists every action (so the run's ActionLog must keep them all). */
export function listsEveryAction(format: 'table' | 'json' | 'markdown' | 'csv'): boolean {
  return format === 'json' || format === 'csv';
}

/** Prints a repair or backfill in the format asked for. */
export async function printRepair(
  out: Output,
  report: RepairReport,
  command: string,
  format: 'table' | 'json' | 'markdown' | 'csv',
  style: RepairStyle,
): Promise<void> {
  switch (format) {
    case 'json':
      return writeRepairJson(out, report, command);
    case 'csv':
      return writeRepairCsv(out, report);
    case 'markdown':
      out.write(renderRepairMarkdown(report, command, style.graph, style.details));
      return;
    default:
      out.write(renderRepairTable(report, command, style.details, style.width, style.paint));
  }
}
