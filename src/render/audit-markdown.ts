import { MISMATCH_CLASSES } from '../core/audit/types.js';
import type { EntityGraph } from '../core/entities/graph.js';
import { groupBySignature } from '../core/audit/signature.js';
import type { Increase } from '../core/history/trend.js';
import type { AuditResult } from '../core/audit/result.js';
import { utc } from '../core/time-text.js';
import { auditSeconds, mismatchCount } from './audit.js';
import { firstMismatches } from '../core/audit/first-mismatches.js';
import { changeLines, driftChanges } from './field-change.js';
import { mdCell, mdCode, mdLines, mdTable, mermaidGraph } from './markdown-text.js';

/** Signature groups the report lists, largest first. */
export const WORST_OFFENDERS = 10;

/**
 * The audit for a pull request or a CI step summary: totals, entity × class,
 * the worst offenders grouped by error signature with their hints, the
 * canonical order as a Mermaid graph, and the first mismatches of each entity.
 */
export function renderAuditMarkdown(
  result: AuditResult,
  graph: EntityGraph | undefined,
  details: number,
  grown: readonly Increase[] = [],
): string {
  const { mismatches, sourceRows, mirrorRows } = result.totals;
  const entityCount = result.entities.length;
  const entities = `${entityCount} entit${entityCount === 1 ? 'y' : 'ies'}`;
  const parts = [
    `## sfsync audit: ${mismatches === 0 ? 'no mismatches' : mismatchCount(mismatches)}`,
    `${utc(result.startedAt)} · ${entities} · ${sourceRows} source rows · ` +
      `${mirrorRows} mirror rows · ${auditSeconds(result)} s`,
  ];

  if (grown.length > 0) {
    parts.push('### Grew since the previous recorded run');
    parts.push(
      mdTable(
        ['Entity', 'Class', 'Before', 'Now'],
        grown.map((g) => [mdCell(g.entity), g.class, g.before, g.after]),
        new Set([2, 3]),
      ),
    );
  }

  const head = ['Entity', 'Source', 'Mirror', 'Unsynced', 'Oldest unsynced', ...MISMATCH_CLASSES];
  const rows = result.entities.map((e) => [
    mdCell(e.name) + (e.readOnly ? ' (read-only)' : ''),
    e.sourceRows ?? '—',
    e.mirrorRows,
    e.unsyncedRows,
    age(e.oldestUnsyncedAgeSeconds),
    ...MISMATCH_CLASSES.map((c) => (e.readOnly ? '—' : e.counts[c])),
  ]);
  rows.push([
    '**total**',
    result.totals.sourceRows,
    result.totals.mirrorRows,
    sum(result, 'unsyncedRows'),
    '',
    ...MISMATCH_CLASSES.map((c) => result.totals[c]),
  ]);
  parts.push(mdTable(head, rows, new Set(head.map((_, i) => i).filter((i) => i > 0))));

  const groups = groupBySignature(result.entities).slice(0, WORST_OFFENDERS);
  if (groups.length > 0) {
    parts.push('### Worst offenders');
    parts.push(
      mdTable(
        [
          'Rows',
          'Entity',
          'Class',
          'Code',
          'Where',
          'Error (IDs stripped)',
          'Example keys',
          'Hint',
        ],
        groups.map((g) => [
          g.count,
          mdCell(g.entity),
          g.class,
          g.code ?? '—',
          mdCell(
            [g.field && `field ${g.field}`, g.object && `in ${g.object}`]
              .filter(Boolean)
              .join(' ') || '—',
          ),
          mdCell(g.message),
          g.exampleKeys.map((k) => mdCode(k, 80)).join(', '),
          mdCell(g.hint ?? ''),
        ]),
        new Set([0]),
      ),
    );
  }

  if (graph) {
    parts.push('### Canonical order');
    const labels = new Map(
      result.entities.map((e) => [
        e.name,
        e.mismatches.length > 0 ? `${e.name}: ${mismatchCount(e.mismatches.length)}` : e.name,
      ]),
    );
    parts.push(
      mermaidGraph(
        graph,
        labels,
        new Set(result.entities.filter((e) => e.mismatches.length > 0).map((e) => e.name)),
      ),
    );
  }

  const listed = result.entities.filter((e) => e.mismatches.length > 0);
  if (listed.length > 0 && details > 0) {
    parts.push('<details><summary>Mismatches</summary>\n');
    for (const e of listed) {
      const shown = firstMismatches(e.mismatches, details);
      const firstOnly = shown.length < e.mismatches.length ? `, first ${shown.length}` : '';
      parts.push(`#### ${mdCell(e.name)}: ${e.mismatches.length}${firstOnly}`);
      parts.push(
        mdTable(
          ['Key', 'Class', 'Code', 'Reason'],
          shown.map((m) => [
            mdCode(m.key),
            m.class,
            m.code ?? '—',
            mdLines([m.reason, ...changeLines(driftChanges(m.fields))]),
          ]),
        ),
      );
    }
    parts.push('</details>');
  }
  return `${parts.join('\n\n')}\n`;
}

function sum(result: AuditResult, key: 'unsyncedRows'): number {
  return result.entities.reduce((total, e) => total + e[key], 0);
}

/** A lag people read at a glance: 45 s, 12 min, 3.5 h, 2.1 d. */
export function age(seconds: number | null): string {
  if (seconds === null) return '—';
  if (seconds < 90) return `${seconds} s`;
  if (seconds < 90 * 60) return `${Math.round(seconds / 60)} min`;
  if (seconds < 36 * 3600) return `${(seconds / 3600).toFixed(1)} h`;
  return `${(seconds / 86400).toFixed(1)} d`;
}
