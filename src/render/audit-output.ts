import type { EntityGraph } from '../core/entities/graph.js';
import type { Increase } from '../core/history/trend.js';
import type { AuditResult } from '../core/audit/result.js';
import type { Paint } from './paint.js';
import type { EntityAudit } from '../core/audit/types.js';
import {
  auditJsonChunks,
  auditNdjsonEntityLines,
  renderAuditJson,
  renderAuditNdjsonSummary,
  renderAuditTable,
} from './audit.js';
import { auditCsvChunks, renderAuditCsv } from './audit-csv.js';
import { renderAuditMarkdown } from './audit-markdown.js';
import { chunkedWriter } from './chunked-writer.js';
import type { Output } from './output.js';

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

/**
 * Writes the audit as renderAudit would, in pieces: the formats that list every mismatch (json,
 * csv) never hold the list's text whole, and wait for a full pipe to drain.
 */
export async function writeAudit(
  out: Output,
  result: AuditResult,
  format: 'table' | 'json' | 'ndjson' | 'markdown' | 'csv',
  style: AuditStyle,
): Promise<void> {
  const chunks =
    format === 'json'
      ? auditJsonChunks(result, style.increases)
      : format === 'csv'
        ? auditCsvChunks(result)
        : [renderAudit(result, format, style)];
  await writeChunks(out, chunks);
}

/** An entity's ndjson mismatch lines, as it finishes. */
export async function writeAuditNdjsonEntity(out: Output, entity: EntityAudit): Promise<void> {
  await writeChunks(out, auditNdjsonEntityLines(entity));
}

async function writeChunks(out: Output, chunks: Iterable<string>): Promise<void> {
  const writer = chunkedWriter(out);
  for (const chunk of chunks) await writer.write(chunk);
  await writer.end();
}
