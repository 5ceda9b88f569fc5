import type { ActionKind, ActionStatus, PlannedAction } from '../../core/plan.js';
import type { ActionResult, RepairResult } from '../../ops/repair.js';
import { paint as painter, type Paint } from '../output-mode.js';
import { renderJson } from './json.js';
import { renderTable, renderWrappedTable } from './table.js';
import { cellText } from './terminal-text.js';

export const STATUSES: readonly ActionStatus[] = ['planned', 'done', 'failed', 'deferred', 'skipped'];
const ACTION_ORDER: readonly ActionKind[] = ['insert', 'reinsert', 'recapture', 'dedupe', 'update', 'defer', 'skip'];

/** The summary as rows of entity, action and a count per status (in STATUSES order), canonical order. */
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

export function renderRepairTable(result: RepairResult, command: string, details: number, width = 160, paint: Paint = painter({ color: false })): string {
  const rows = summaryRows(result);
  const parts: string[] = [];
  const title = result.dryRun
    ? `${command} --dry-run: the plan, nothing written`
    : result.cancelled
      ? `${command}: cancelled, nothing written`
      : `${command} run ${result.runId}`;
  parts.push(title);
  parts.push(rows.length > 0 ? renderTable(['Entity', 'Action', ...STATUSES], rows) : 'nothing to do: no mismatches to act on');

  const shown = result.actions.filter((a) => a.status !== 'done').slice(0, details);
  if (shown.length > 0) {
    const rows = shown.map((a) => [
      a.entity,
      cellText(a.key, 200),
      a.action,
      a.status,
      a.detail ? `${cellText(a.reason)}\n✗ ${cellText(a.detail)}` : cellText(a.reason),
    ]);
    parts.push(renderWrappedTable(['Entity', 'Key', 'Action', 'Status', 'Why'], [16, 40, 11, 10, Math.max(30, width - 16 - 40 - 11 - 10 - 6)], rows));
    const hidden = result.actions.filter((a) => a.status !== 'done').length - shown.length;
    if (hidden > 0) parts.push(`… and ${hidden} more (--details N, or --format json for all)`);
  }
  const failed = result.actions.some((a) => a.status === 'failed');
  parts.push((failed ? paint.red : (text: string) => text)(verdict(result, command)));
  return `${parts.join('\n')}\n`;
}

function verdict(result: RepairResult, command: string): string {
  const count = (status: ActionStatus) => result.actions.filter((a) => a.status === status).length;
  if (result.dryRun) return `${count('planned')} change(s) planned, ${count('deferred')} deferred, ${count('skipped')} skipped; run without --dry-run to apply`;
  if (result.cancelled) return 'nothing was written';
  const deferred = count('deferred');
  const next =
    deferred > 0 ? `; ${deferred} deferred until their parents have an sfid: run \`sfsync ${command}\` again once Connect has synced (or use --wait)` : '';
  return `${count('done')} done, ${count('failed')} failed, ${count('skipped')} skipped${next}; journal: sfsync journal ${result.runId}`;
}

export function renderRepairJson(result: RepairResult, command: string): string {
  return renderJson(command, {
    dryRun: result.dryRun,
    cancelled: result.cancelled,
    runId: result.runId,
    order: result.order,
    actions: result.actions.map(actionJson),
    summary: result.summary,
  });
}

function actionJson(a: ActionResult) {
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
    blockedBy: a.blockedBy,
  };
}

/** Entity × action counts of a plan, shown before asking whether to apply it. */
export function renderPlanSummary(plan: readonly PlannedAction[]): string {
  const counts = new Map<string, number>();
  for (const a of plan) counts.set(`${a.entity}\u0000${a.action}`, (counts.get(`${a.entity}\u0000${a.action}`) ?? 0) + 1);
  const rows = [...counts].map(([k, n]) => [...k.split('\u0000'), n] as (string | number)[]);
  return `${renderTable(['Entity', 'Action', 'Rows'], rows)}\n`;
}
