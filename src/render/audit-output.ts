import type { EntityGraph } from '../core/entities/graph.js';
import type { Increase } from '../core/history/trend.js';
import type { AuditResult } from '../core/audit/result.js';
import type { Paint } from './paint.js';
import { renderAuditJson, renderAuditNdjsonSummary, renderAuditTable } from './audit.js';
import { renderAuditCsv } from './audit-csv.js';
import { renderAuditMarkdown } from './audit-markdown.js';

export { renderAuditNdjsonEntity } from './audit.js';

export interface AuditStyle {
  readonly details: number;
  readonly width: number;
  readonly paint: Paint;
  /**
   * The config's dependency graph; undefined (`merge` without a config): the reports leave it out.
   */
  readonly graph: EntityGraph | undefined;
  readonly increases: readonly Increase[];
}

/**
 * The audit in the format asked for (ndjson: the closing summary line; its mismatch lines were
 * streamed).
 */
export function renderAudit(
  result: AuditResult,
  format: 'table' | 'json' | 'ndjson' | 'markdown' | 'csv',
  style: AuditStyle,
): string {
  switch (format) {
    case 'json':
      return renderAuditJson(result, style.increases);
    case 'ndjson':
      return renderAuditNdjsonSummary(result);
    case 'markdown':
      return renderAuditMarkdown(result, style.graph, style.details, style.increases);
    case 'csv':
      return renderAuditCsv(result);
    default:
      return renderAuditTable(result, style.details, style.width, style.paint, style.increases);
  }
}
