import { ROW_CLASSES, type EntityAudit, type Mismatch } from '../core/audit/types.js';
import type { Increase } from '../core/history/trend.js';
import type { AuditResult } from '../core/audit/result.js';
import { paint as painter, type Paint } from './paint.js';
import { FORMAT_VERSION, renderJson } from './json.js';
import { renderTable, renderWrappedTable } from './table.js';
import { cellText } from './terminal-text.js';
import { maxOf } from '../core/arrays.js';

/**
 * Summary (entity × class, canonical order) and the first `details` mismatches
 * of each entity, fitted to `width` columns.
 */
export function renderAuditTable(
  result: AuditResult,
  details: number,
  width = 160,
  paint: Paint = painter({ color: false }),
  increases: readonly Increase[] = [],
): string {
  const head = ['Entity', 'Source', 'Mirror', ...ROW_CLASSES];
  const rows = result.entities.map((e) => [
    e.readOnly ? `${e.name} (read-only)` : e.name,
    e.sourceRows ?? '—',
    e.readOnly ? `${e.mirrorRows} (${e.unsyncedRows} unsynced)` : e.mirrorRows,
    ...ROW_CLASSES.map((c) => (e.readOnly ? '—' : e.counts[c])),
  ]);
  rows.push([
    'total',
    result.totals.sourceRows,
    result.totals.mirrorRows,
    ...ROW_CLASSES.map((c) => result.totals[c]),
  ]);
  const parts = [renderTable(head, rows)];

  for (const entity of result.entities) {
    if (entity.mismatches.length === 0 || details <= 0) continue;
    const shown = entity.mismatches.slice(0, details);
    const more = entity.mismatches.length - shown.length;
    const firstOnly = more > 0 ? `, first ${shown.length}` : '';
    parts.push(
      `\n${paint.bold(entity.name)} (${entity.mirrorTable}): ` +
        `${mismatchCount(entity.mismatches.length)}${firstOnly}`,
    );
    parts.push(detailTable(shown, width));
    if (more > 0) parts.push(`… and ${more} more (--details N, or --format json for all)`);
  }
  for (const entity of result.entities) {
    if (entity.sourceRowsWithoutKey > 0) {
      parts.push(
        `\nnote: ${entity.name} has ${entity.sourceRowsWithoutKey} source row(s) ` +
          'whose key is NULL; they are never matched or written',
      );
    }
  }
  if (increases.length > 0) {
    parts.push(`\n${paint.red('grew since the previous recorded run:')}`);
    parts.push(
      renderTable(
        ['Entity', 'Class', 'Before', 'Now'],
        increases.map((g) => [g.entity, g.class, g.before, g.after]),
      ),
    );
  }
  const mismatches = result.totals.mismatches;
  const found =
    mismatches === 0 ? paint.green('no mismatches') : paint.red(mismatchCount(mismatches));
  const entityCount = result.entities.length;
  const entities = `${entityCount} entit${entityCount === 1 ? 'y' : 'ies'}`;
  const shard = result.shard ? `, keys of shard ${result.shard.index}/${result.shard.count}` : '';
  parts.push(`\n${found} in ${entities}${shard} (${auditSeconds(result)} s)`);
  return `${parts.join('\n')}\n`;
}

function detailTable(mismatches: readonly Mismatch[], width: number): string {
  const keyLengths = mismatches.map((m) => m.key.length);
  const keyWidth = Math.min(40, maxOf(keyLengths, 5) + 2);
  const fixed = [keyWidth, 18, 35];
  const reasonWidth = Math.max(30, width - fixed.reduce((a, b) => a + b, 0) - 5);
  const rows = mismatches.map((m) => {
    const code = m.code ? `${m.code}${m.repairable ? ' (repairable)' : ''}` : '—';
    const lines = [
      cellText(m.reason),
      ...m.fields.slice(0, 5).map((f) => `${f.column}: ${show(f.source)} ≠ ${show(f.mirror)}`),
    ];
    if (m.hint) lines.push(`→ ${m.hint}`);
    return [cellText(m.key, 200), m.class, code, lines.join('\n')];
  });
  return renderWrappedTable(['Key', 'Class', 'Code', 'Reason'], [...fixed, reasonWidth], rows);
}

function show(value: unknown): string {
  return cellText(value === null || value === undefined ? 'NULL' : JSON.stringify(value), 60);
}

export function renderAuditJson(result: AuditResult, increases: readonly Increase[] = []): string {
  return renderJson('audit', {
    startedAt: result.startedAt.toISOString(),
    finishedAt: result.finishedAt.toISOString(),
    shard: result.shard ?? null,
    order: result.order,
    entities: result.entities.map((e) => ({ ...entitySummary(e), mismatches: e.mismatches })),
    totals: result.totals,
    bytesRead: result.bytesRead ?? null,
    increases,
  });
}

/** One mismatch per line as each entity finishes, so a consumer can start before the audit ends. */
export function renderAuditNdjsonEntity(entity: EntityAudit): string {
  return entity.mismatches
    .map((m) => `${JSON.stringify({ type: 'mismatch', entity: entity.name, ...m })}\n`)
    .join('');
}

export function renderAuditNdjsonSummary(result: AuditResult): string {
  const summary = {
    type: 'summary',
    tool: 'sfsync',
    command: 'audit',
    formatVersion: FORMAT_VERSION,
    shard: result.shard ?? null,
    order: result.order,
    ...auditSummaryJson(result),
  };
  return `${JSON.stringify(summary)}\n`;
}

/** An audit without its mismatches: what a summary (ndjson's last line, the demo) reports. */
export function auditSummaryJson(result: AuditResult) {
  return {
    startedAt: result.startedAt.toISOString(),
    finishedAt: result.finishedAt.toISOString(),
    entities: result.entities.map(entitySummary),
    totals: result.totals,
  };
}

function entitySummary(e: EntityAudit) {
  return {
    name: e.name,
    readOnly: e.readOnly,
    mirrorTable: e.mirrorTable,
    sourceRows: e.sourceRows,
    mirrorRows: e.mirrorRows,
    unsyncedRows: e.unsyncedRows,
    oldestUnsyncedAgeSeconds: e.oldestUnsyncedAgeSeconds,
    sourceRowsWithoutKey: e.sourceRowsWithoutKey,
    method: e.method,
    keysReadInFull: e.keysReadInFull,
    counts: e.counts,
  };
}

/** How long the audit took, as every report shows it. */
export function auditSeconds(result: AuditResult): string {
  return ((result.finishedAt.getTime() - result.startedAt.getTime()) / 1000).toFixed(1);
}

/** `1 mismatch`, `3 mismatches`: how every report counts them. */
export function mismatchCount(n: number): string {
  return `${n} mismatch${n === 1 ? '' : 'es'}`;
}
