import type { EntityGraph } from '../core/entities/graph.js';
import { statusCounts } from '../core/repair/result.js';
import type { RepairReport } from './action-log.js';
import { mdCell, mdCode, mdTable, mermaidGraph } from './markdown-text.js';
import { STATUSES, summaryRows } from './repair.js';

/**
 * A repair or backfill for a CI step summary: the verdict, entity × action × status, what did not
 * get done and why, the order.
 */
export function renderRepairMarkdown(
  report: RepairReport,
  command: string,
  graph: EntityGraph,
  details: number,
): string {
  const { result } = report;
  const count = statusCounts(result.summary);
  const deferredAndSkipped = `${count.deferred} deferred, ${count.skipped} skipped`;
  const title = result.dryRun
    ? `## sfsync ${command} --dry-run: ${count.planned} change(s) planned, ${deferredAndSkipped}`
    : result.cancelled
      ? `## sfsync ${command}: cancelled, nothing written`
      : `## sfsync ${command}: ${count.done} done, ${count.failed} failed, ${deferredAndSkipped}`;
  const parts = [title];
  if (result.runId)
    parts.push(`Run \`${result.runId}\` · journal: \`sfsync journal ${result.runId}\``);

  const rows = summaryRows(result).map(([entity, ...rest]) => [mdCell(entity), ...rest]);
  parts.push(
    rows.length > 0
      ? mdTable(['Entity', 'Action', ...STATUSES], rows, new Set([2, 3, 4, 5, 6]))
      : 'Nothing to do: no mismatches to act on.',
  );

  const open = count.failed + count.deferred + count.skipped;
  if (open > 0 && details > 0) {
    parts.push(`### Not done${open > details ? ` (first ${details} of ${open})` : ''}`);
    parts.push(
      mdTable(
        ['Entity', 'Key', 'Action', 'Status', 'Why'],
        report.open
          .slice(0, details)
          .map((a) => [
            mdCell(a.entity),
            mdCode(a.key),
            a.action,
            a.status,
            mdCell(a.detail ?? a.reason),
          ]),
      ),
    );
  }
  parts.push('### Canonical order');
  parts.push(mermaidGraph(graph));
  return `${parts.join('\n\n')}\n`;
}
