import type { EntityGraph } from '../core/entities/graph.js';
import { statusCounts } from '../core/repair/result.js';
import type { RepairReport } from './action-log.js';
import { changeLines, driftChanges } from './field-change.js';
import { mdCell, mdCode, mdLines, mdTable, mermaidGraph } from './markdown-text.js';
import { notDoneCount, outcomeSentences, STATUSES, summaryRows } from './repair.js';

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
  const outcomes = outcomeSentences(result);
  if (outcomes.length > 0) parts.push(outcomes.map((line) => `${mdCell(line)}  `).join('\n'));

  const rows = summaryRows(result).map(([entity, ...rest]) => [mdCell(entity), ...rest]);
  parts.push(
    rows.length > 0
      ? mdTable(['Entity', 'Action', ...STATUSES], rows, new Set([2, 3, 4, 5, 6]))
      : 'Nothing to do: no mismatches to act on.',
  );

  // A dry run lists what it would write too (nothing is done yet), an update with its values.
  const listed = result.dryRun ? report.notDone : report.open;
  const total = result.dryRun ? notDoneCount(count) : count.failed + count.deferred + count.skipped;
  if (total > 0 && details > 0) {
    const first = total > details ? ` (first ${details} of ${total})` : '';
    parts.push(`### Not done${first}`);
    parts.push(
      mdTable(
        ['Entity', 'Key', 'Action', 'Status', 'Why'],
        listed
          .slice(0, details)
          .map((a) => [
            mdCell(a.entity),
            mdCode(a.key),
            a.action,
            a.status,
            mdLines([a.detail ?? a.reason, ...changeLines(driftChanges(a.changes))]),
          ]),
      ),
    );
  }
  parts.push('### Canonical order');
  parts.push(mermaidGraph(graph));
  return `${parts.join('\n\n')}\n`;
}
