import {
  MISMATCH_CLASSES,
  ROW_CLASSES,
  type EntityAudit,
  type Mismatch,
  type MismatchClass,
  type RowClass,
} from '../core/audit/types.js';
import type { Increase } from '../core/history/trend.js';
import type { AuditResult } from '../core/audit/result.js';
import { firstMismatches } from '../core/audit/first-mismatches.js';
import { paint as painter, type Paint } from './paint.js';
import { FORMAT_VERSION, renderJson } from './json.js';
import { DEFAULT_WIDTH, fitsWithWholeWords, renderTable } from './table.js';
import { cellText, MAX_CELL_CHARS } from './terminal-text.js';
import { driftChanges, terminalChangeLines } from './field-change.js';

/**
 * Summary (entity × the classes that occur, canonical order) and the first `details` mismatches
 * of each entity, fitted to `width` columns.
 */
export function renderAuditTable(
  result: AuditResult,
  details: number,
  width = DEFAULT_WIDTH,
  paint: Paint = painter({ color: false }),
  increases: readonly Increase[] = [],
): string {
  const parts = [summaryTable(result, width)];

  for (const entity of result.entities) {
    if (entity.mismatches.length === 0 || details <= 0) continue;
    const shown = firstMismatches(entity.mismatches, details);
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
        { width },
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

/**
 * Entity × class counts, a column for each class some entity has (a column of zeros says
 * nothing). When those columns cannot fit without breaking words, the mismatch classes go into
 * one column as a list (`4 missing_parent, 1 failed`) instead.
 */
function summaryTable(result: AuditResult, width: number): string {
  const occurring = ROW_CLASSES.filter((c) => result.totals[c] > 0);
  const name = (e: EntityAudit) => (e.readOnly ? `${e.name} (read-only)` : e.name);
  const mirror = (e: EntityAudit) =>
    e.readOnly ? `${e.mirrorRows} (${e.unsyncedRows} unsynced)` : e.mirrorRows;
  const wide = (classes: readonly RowClass[]) => [
    ...result.entities.map((e) => [
      name(e),
      e.sourceRows ?? '—',
      mirror(e),
      ...classes.map((c) => (e.readOnly ? '—' : e.counts[c])),
    ]),
    [
      'total',
      result.totals.sourceRows,
      result.totals.mirrorRows,
      ...classes.map((c) => result.totals[c]),
    ],
  ];
  const head = ['Entity', 'Source', 'Mirror'];
  const rows = wide(occurring);
  if (fitsWithWholeWords([...head, ...occurring], rows, width))
    return renderTable([...head, ...occurring], rows, { width });

  const fine = occurring.filter((c) => !MISMATCH_CLASSES.some((m) => m === c));
  // A no-break space, so a wrapped list never parts a count from its class.
  const listed = (counts: Readonly<Record<RowClass, number>>) =>
    MISMATCH_ROW_CLASSES.filter((c) => counts[c] > 0)
      .map((c) => `${counts[c]}\u00a0${c}`)
      .join(', ') || 'none';
  const narrow = wide(fine).map((row, i) => {
    const e = result.entities[i];
    return [...row, e ? (e.readOnly ? '—' : listed(e.counts)) : listed(result.totals)];
  });
  return renderTable([...head, ...fine, 'Mismatches'], narrow, { width });
}

/** The mismatch classes in the summary's order. */
const MISMATCH_ROW_CLASSES = ROW_CLASSES.filter((c): c is MismatchClass =>
  MISMATCH_CLASSES.some((m) => m === c),
);

function detailTable(mismatches: readonly Mismatch[], width: number): string {
  const rows = mismatches.map((m) => {
    const code = m.code ? `${m.code}${m.repairable ? ' (repairable)' : ''}` : '—';
    const lines = [cellText(m.reason), ...terminalChangeLines(driftChanges(m.fields))];
    if (m.hint) lines.push(`→ ${cellText(m.hint)}`);
    return [cellText(m.key, 200), m.class, code, lines.join('\n')];
  });
  // Each part of the reason cell is capped on its own; the whole cell gets a looser cap as a last
  // guard.
  return renderTable(['Key', 'Class', 'Code', 'Reason'], rows, {
    width,
    cellChars: 4 * MAX_CELL_CHARS,
  });
}

export function renderAuditJson(result: AuditResult, increases: readonly Increase[] = []): string {
  return [...auditJsonChunks(result, increases)].join('');
}

/** Stands for a list in a document stringified around it; no config name can contain a NUL. */
const LIST = '\u0000sfsync:list\u0000';

/**
 * The JSON document in pieces, each entity's mismatches one by one, so that a spilled list is
 * never in memory whole. The text is JSON.stringify's (two-space indent) of the whole document.
 */
export function* auditJsonChunks(
  result: AuditResult,
  increases: readonly Increase[] = [],
): Generator<string> {
  const document = renderJson('audit', {
    startedAt: result.startedAt.toISOString(),
    finishedAt: result.finishedAt.toISOString(),
    shard: result.shard ?? null,
    order: result.order,
    entities: LIST,
    totals: result.totals,
    bytesRead: result.bytesRead ?? null,
    increases,
  });
  const [head, tail] = splitAt(document, LIST);
  if (result.entities.length === 0) {
    yield `${head}[]${tail}`;
    return;
  }
  yield `${head}[`;
  let separator = '\n    ';
  for (const entity of result.entities) {
    const text = JSON.stringify({ ...entitySummary(entity), mismatches: LIST }, null, 2);
    const [before, after] = splitAt(text.replace(/\n/g, '\n    '), LIST);
    yield `${separator}${before}`;
    yield* arrayChunks(entity.mismatches, '      ');
    yield after;
    separator = ',\n    ';
  }
  yield `\n  ]${tail}`;
}

/** A list as JSON.stringify indents it, its closing bracket at `indent`. */
function* arrayChunks(items: Iterable<unknown>, indent: string): Generator<string> {
  let separator = '[';
  const inner = `\n${indent}  `;
  for (const item of items) {
    yield `${separator}${inner}${JSON.stringify(item, null, 2).replace(/\n/g, inner)}`;
    separator = ',';
  }
  yield separator === '[' ? '[]' : `\n${indent}]`;
}

/** The text before and after the quoted placeholder. */
function splitAt(text: string, placeholder: string): [string, string] {
  const quoted = JSON.stringify(placeholder);
  const at = text.indexOf(quoted);
  return [text.slice(0, at), text.slice(at + quoted.length)];
}

/** One mismatch per line as each entity finishes, so a consumer can start before the audit ends. */
export function renderAuditNdjsonEntity(entity: EntityAudit): string {
  return [...auditNdjsonEntityLines(entity)].join('');
}

export function* auditNdjsonEntityLines(entity: EntityAudit): Generator<string> {
  for (const m of entity.mismatches)
    yield `${JSON.stringify({ type: 'mismatch', entity: entity.name, ...m })}\n`;
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
    methodChoice: e.methodChoice,
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
