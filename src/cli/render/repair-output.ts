import type { EntityGraph } from '../../core/graph.js';
import type { RepairResult } from '../../ops/repair.js';
import type { Paint } from '../output-mode.js';
import { renderRepairJson, renderRepairTable } from './repair.js';
import { renderRepairCsv } from './repair-csv.js';
import { renderRepairMarkdown } from './repair-markdown.js';

export { renderPlanSummary } from './repair.js';

export interface RepairStyle {
  readonly details: number;
  readonly width: number;
  readonly paint: Paint;
  readonly graph: EntityGraph;
}

/** A repair or backfill result in the format asked for. */
export function renderRepair(result: RepairResult, command: string, format: 'table' | 'json' | 'markdown' | 'csv', style: RepairStyle): string {
  switch (format) {
    case 'json':
      return renderRepairJson(result, command);
    case 'markdown':
      return renderRepairMarkdown(result, command, style.graph, style.details);
    case 'csv':
      return renderRepairCsv(result);
    default:
      return renderRepairTable(result, command, style.details, style.width, style.paint);
  }
}
