import type { ActionKind, ActionStatus } from '../core/repair/plan.js';
import type { OutcomeCounts } from '../core/repair/confirm.js';
import {
  cappedCount,
  statusCounts,
  type ActionResult,
  type RepairResult,
  type RepairSummary,
} from '../core/repair/result.js';
import type { Output } from './output.js';
import type { RepairReport } from './action-log.js';
import { chunkedWriter } from './chunked-writer.js';
import { paint as painter, type Paint } from './paint.js';
import { renderJson } from './json.js';
import { DEFAULT_WIDTH, renderTable } from './table.js';
import { cellText, MAX_CELL_CHARS } from './terminal-text.js';
import { driftChanges, terminalChangeLines } from './field-change.js';

export const STATUSES: readonly ActionStatus[] = [
  'planned',
  'done',
  'failed',
  'deferred',
  'skipped',
];
const ACTION_ORDER: readonly ActionKind[] = [
  'insert',
  'reinsert',
  'recapture',
  'dedupe',
  'update',
  'defer',
  'skip',
];

/**
 * The summary as rows of entity, action and a count per status (in STATUSES order), canonical
 * order.
 */
export function summaryRows(result: RepairResult): [string, ActionKind, ...number[]][] {
  const rows: [string, ActionKind, ...number[]][] = [];
  for (const entity of result.order) {
    const byAction = result.summary[entity] ?? {};
    for (const action of ACTION_ORDER) {
      const counts = byAction[action];
      if (counts) rows.push([entity, action, ...STATUSES.map((s) => counts[s] ?? 0)]);
    }
  }
  return rows;
}

export function renderRepairTable(
  report: RepairReport,
  command: string,
  details: number,
  width = DEFAULT_WIDTH,
  paint: Paint = painter({ color: false }),
): string {
  const { result } = report;
  const rows = summaryRows(result);
  const counts = statusCounts(result.summary);
  const parts: string[] = [];
  const title = result.dryRun
    ? `${command} --dry-run: the plan, nothing written`
    : result.cancelled
      ? `${command}: cancelled, nothing written`
      : `${command} run ${result.runId}`;
  parts.push(title);
  parts.push(
    rows.length > 0
      ? renderTable(['Entity', 'Action', ...STATUSES], rows, { width })
      : 'nothing to do: no mismatches to act on',
  );

  const shown = report.notDone.slice(0, details);
  if (shown.length > 0) {
    const rows = shown.map((a) => [a.entity, cellText(a.key, 200), a.action, a.status, why(a)]);
    parts.push(
      renderTable(['Entity', 'Key', 'Action', 'Status', 'Why'], rows, {
        width,
        cellChars: 4 * MAX_CELL_CHARS,
      }),
    );
    const hidden = notDoneCount(counts) - shown.length;
    if (hidden > 0) parts.push(`… and ${hidden} more (--details N, or --format json for all)`);
  }
  parts.push(
    (counts.failed > 0 ? paint.red : (text: string) => text)(verdict(result, command, counts)),
  );
  return `${parts.join('\n')}\n`;
}

/** Why an action is listed, what an update writes (old → new), and what went wrong. */
function why(a: ActionResult): string {
  const lines = [cellText(a.reason), ...terminalChangeLines(driftChanges(a.changes))];
  if (a.detail) lines.push(`✗ ${cellText(a.detail)}`);
  return lines.join('\n');
}

function verdict(
  result: RepairResult,
  command: string,
  count: Record<ActionStatus, number>,
): string {
  const capped = cappedCount(result.summary);
  const waiting = count.deferred - capped;
  const cap = capped > 0 ? `, ${capped} left for the next run by the write cap` : '';
  if (result.dryRun)
    return (
      `${count.planned} change(s) planned${cap}, ${waiting} deferred, ` +
      `${count.skipped} skipped; run without --dry-run to apply`
    );
  if (result.cancelled) return 'nothing was written';
  const next =
    waiting > 0
      ? `; ${waiting} deferred until their parents have an sfid: ` +
        `run \`sfsync ${command}\` again once Connect has synced (or use --wait)`
      : '';
  return (
    `${count.done} done, ${count.failed} failed${cap}, ${count.skipped} skipped${next}; ` +
    `journal: sfsync journal ${result.runId}${outcomeLines(result)}`
  );
}

/** What Connect made of the writes, this run's (with --wait) and earlier runs', a line each. */
export function outcomeSentences(result: RepairResult): string[] {
  const lines: string[] = [];
  const { outcomes, earlier } = result;
  if (outcomes)
    lines.push(
      `in Salesforce: ${outcomes.confirmed} confirmed, ${outcomes.failed_again} failed again, ` +
        `${outcomes.unconfirmed} unconfirmed`,
    );
  if (
    earlier &&
    earlier.confirmed + earlier.failed_again + earlier.unconfirmed + earlier.pending > 0
  )
    lines.push(
      `earlier runs' writes: ${earlier.confirmed} confirmed, ${earlier.failed_again} failed ` +
        `again, ${earlier.unconfirmed + earlier.pending} still unconfirmed`,
    );
  return lines;
}

function outcomeLines(result: RepairResult): string {
  return outcomeSentences(result)
    .map((line) => `\n${line}`)
    .join('');
}

/** Actions in any status but done. */
export function notDoneCount(counts: Record<ActionStatus, number>): number {
  return counts.planned + counts.failed + counts.deferred + counts.skipped;
}

/**
 * The JSON document, written a piece at a time (every action is read back from
 * the log as it is printed), byte for byte what JSON.stringify(document, null, 2) gives.
 */
export async function writeRepairJson(
  out: Output,
  report: RepairReport,
  command: string,
): Promise<void> {
  const { result } = report;
  const head = renderJson(command, {
    dryRun: result.dryRun,
    cancelled: result.cancelled,
    runId: result.runId,
    order: result.order,
    // What Connect made of this run's writes (with --wait) and of earlier runs' (writing runs).
    outcomes: outcomeJson(result.outcomes),
    earlierOutcomes: outcomeJson(result.earlier),
  });
  const writer = chunkedWriter(out);
  await writer.write(`${head.slice(0, head.lastIndexOf('\n}'))},\n  "actions": [`);
  let first = true;
  for (const action of report.actions()) {
    const indented = JSON.stringify(actionJson(action), null, 2).replace(/\n/g, '\n    ');
    await writer.write(`${first ? '' : ','}\n    ${indented}`);
    first = false;
  }
  const summary = JSON.stringify(result.summary, null, 2).replace(/\n/g, '\n  ');
  await writer.write(`${first ? '' : '\n  '}],\n  "summary": ${summary}\n}\n`);
  await writer.end();
}

function outcomeJson(counts: Readonly<OutcomeCounts> | undefined) {
  if (!counts) return null;
  return {
    confirmed: counts.confirmed,
    failedAgain: counts.failed_again,
    unconfirmed: counts.unconfirmed,
    pending: counts.pending,
  };
}

/** An action as the JSON document lists it (docs/output.md). */
export function actionJson(a: ActionResult) {
  return {
    entity: a.entity,
    key: a.key,
    action: a.action,
    reason: a.reason,
    status: a.status,
    // `error` is the documented JSON key: a failure's message or a skip's reason.
    error: a.detail,
    class: a.class,
    code: a.code,
    mirrorId: a.mirrorId,
    deleteIds: a.deleteIds,
    columns: a.columns,
    // The values an update replaces and writes, in full: `from` the mirror's, `to` the source's.
    changes: driftChanges(a.changes),
    blockedBy: a.blockedBy,
  };
}

/** Entity × action counts of a plan, shown before asking whether to apply it. */
export function renderPlanSummary(
  plan: Readonly<RepairSummary>,
  width: number = DEFAULT_WIDTH,
): string {
  const rows: (string | number)[][] = [];
  for (const [entity, byAction] of Object.entries(plan)) {
    for (const action of ACTION_ORDER) {
      const n = Object.values(byAction[action] ?? {}).reduce((sum, count) => sum + (count ?? 0), 0);
      if (n > 0) rows.push([entity, action, n]);
    }
  }
  return `${renderTable(['Entity', 'Action', 'Rows'], rows, { width })}\n`;
}
