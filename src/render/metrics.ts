import { Gauge, Registry } from 'prom-client';
import { MISMATCH_CLASSES } from '../core/audit/types.js';
import type { AuditResult } from '../core/audit/result.js';
import type { RepairResult } from '../core/repair/result.js';

/** A writing command's run: `plan` for --dry-run, `apply` for a run that may write. */
export type RunMode = 'plan' | 'apply';

/** What one run has to say in Prometheus' text format. */
export interface MetricsInput {
  readonly command: string;
  readonly audit?: AuditResult | undefined;
  readonly repair?: RepairResult | undefined;
  /**
   * repair/backfill: whether this was a dry run. Needed for a run that failed before it had a
   * result; a result's own `dryRun` wins. Undefined (audit): no `mode` label at all.
   */
  readonly mode?: RunMode | undefined;
  readonly durationSeconds: number;
  readonly exitCode: number;
  /** Unix seconds this run finished; written as last success only when the run completed. */
  readonly finishedAt: number;
  /** The previous file's values for this command and mode, carried over by a run that failed. */
  readonly previousSuccess?: number | undefined;
  readonly previousFindings?: number | undefined;
}

/** The two families a run that fails copies from the previous file. */
export const LAST_SUCCESS = 'sfsync_last_success_timestamp_seconds';
export const LAST_SUCCESS_FINDINGS = 'sfsync_last_success_findings';

/**
 * The node_exporter textfile collector's format, built with prom-client so
 * names, label escaping and HELP/TYPE lines follow the exposition format.
 * Every entity × class is written, zeros included, so an alert can tell
 * "no mismatches" from "no data". HELP texts never vary with the run: the textfile collector
 * and the Pushgateway both refuse one family described two ways.
 */
export async function renderMetrics(input: MetricsInput): Promise<string> {
  const registry = new Registry();
  const gauge = <L extends string>(name: string, help: string, labelNames: readonly L[]) =>
    new Gauge<L>({ name, help, labelNames, registers: [registry] });

  if (input.audit) {
    const mismatches = gauge(
      'sfsync_mismatches',
      'Keys in each mismatch class, per entity, at the last audit.',
      ['entity', 'class'],
    );
    const rows = gauge(
      'sfsync_rows',
      'Rows per entity: source, mirror, and mirror rows without an sfid (unsynced).',
      ['entity', 'side'],
    );
    const lag = gauge(
      'sfsync_oldest_unsynced_age_seconds',
      'Sync lag: age of the newest trigger-log entry of the longest-waiting mirror row ' +
        'without an sfid (0: none).',
      ['entity'],
    );
    for (const e of input.audit.entities) {
      if (!e.readOnly)
        for (const cls of MISMATCH_CLASSES)
          mismatches.set({ entity: e.name, class: cls }, e.counts[cls]);
      if (e.sourceRows !== null) rows.set({ entity: e.name, side: 'source' }, e.sourceRows);
      rows.set({ entity: e.name, side: 'mirror' }, e.mirrorRows);
      rows.set({ entity: e.name, side: 'unsynced' }, e.unsyncedRows);
      // Unsynced rows whose log entries are gone have no known age: no sample rather than a wrong
      // one.
      if (e.oldestUnsyncedAgeSeconds !== null || e.unsyncedRows === 0)
        lag.set({ entity: e.name }, e.oldestUnsyncedAgeSeconds ?? 0);
    }
  }
  const mode = input.repair ? (input.repair.dryRun ? 'plan' : 'apply') : input.mode;
  // A plan's counts are what an apply would do, not what was done: the label keeps a dashboard
  // from adding one to the other.
  const labels: Partial<Record<'command' | 'mode', string>> =
    mode === undefined ? { command: input.command } : { command: input.command, mode };
  const labelNames = Object.keys(labels) as ('command' | 'mode')[];
  if (input.repair) {
    const actionMode = input.repair.dryRun ? 'plan' : 'apply';
    const actions = gauge(
      'sfsync_repair_actions',
      'Actions of the last repair or backfill, by entity, action and status; ' +
        'mode="plan" for a --dry-run (status planned: would be written).',
      ['entity', 'action', 'status', 'mode'],
    );
    for (const [entity, byAction] of Object.entries(input.repair.summary)) {
      for (const [action, byStatus] of Object.entries(byAction)) {
        for (const [status, count] of Object.entries(byStatus ?? {}))
          actions.set({ entity, action, status, mode: actionMode }, count ?? 0);
      }
    }
    const { outcomes, earlier } = input.repair;
    if (outcomes || earlier) {
      const settled = gauge(
        'sfsync_repair_outcomes',
        'What became of the rows repair sent, as Connect and Salesforce answered: of="run" for ' +
          'the last run (with --wait), of="earlier" for earlier runs settled by it; outcome ' +
          'confirmed, failed_again, unconfirmed or pending.',
        ['of', 'outcome'],
      );
      for (const [of, counts] of [
        ['run', outcomes],
        ['earlier', earlier],
      ] as const)
        for (const [outcome, n] of Object.entries(counts ?? {})) settled.set({ of, outcome }, n);
    }
  }
  gauge('sfsync_run_duration_seconds', 'Wall time of the last run.', labelNames).set(
    labels,
    round(input.durationSeconds),
  );
  gauge(
    'sfsync_last_run_timestamp_seconds',
    'When the last run finished, whatever its outcome (Unix time).',
    labelNames,
  ).set(labels, input.finishedAt);
  gauge(
    'sfsync_last_exit_code',
    'Exit code of the last run (see the README: 0 ok, 1 findings, 2 usage, 3 database, 4 lock, ' +
      '74 output, 130/143 interrupted).',
    labelNames,
  ).set(labels, input.exitCode);
  const completed = ranToCompletion(input.exitCode, input.repair);
  const success = completed ? input.finishedAt : input.previousSuccess;
  const findings = completed ? Number(input.exitCode === 1) : input.previousFindings;
  if (success !== undefined)
    gauge(
      LAST_SUCCESS,
      'When a run last ran to completion: exit code 0, or 1 (findings), in Unix time; ' +
        'a run that fails keeps the previous value.',
      labelNames,
    ).set(labels, success);
  if (findings !== undefined)
    gauge(
      LAST_SUCCESS_FINDINGS,
      'Whether the run that set sfsync_last_success_timestamp_seconds had findings ' +
        '(1: it exited 1; 0: it exited 0).',
      labelNames,
    ).set(labels, findings);
  return registry.metrics();
}

/**
 * Whether the job did its work: exit 0, or 1 — the data it exists to find (mismatches, a class
 * that grew, work left open), not the job failing. A cancelled repair exits 1 too, but stopped
 * half-way.
 */
export function ranToCompletion(exitCode: number, repair?: RepairResult): boolean {
  return (exitCode === 0 || exitCode === 1) && !repair?.cancelled;
}

function round(seconds: number): number {
  return Math.round(seconds * 1000) / 1000;
}

/**
 * What a previous metrics file recorded for this command (and mode), so a run that fails keeps
 * its last success and that run's findings.
 */
export function previousValue(
  text: string,
  name: string,
  command: string,
  mode?: RunMode,
): number | undefined {
  for (const line of text.split('\n')) {
    const match = /^(\w+)\{(.*)\}\s+(\S+)$/.exec(line);
    if (match?.[1] !== name) continue;
    const labels = new Map(
      [...match[2]!.matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1]!, m[2]!]),
    );
    if (labels.get('command') !== command || labels.get('mode') !== mode) continue;
    const value = Number(match[3]);
    if (Number.isFinite(value)) return value;
  }
  return undefined;
}

/** The last-success timestamp a previous metrics file recorded for this command. */
export function previousSuccess(text: string, command: string, mode?: RunMode): number | undefined {
  return previousValue(text, LAST_SUCCESS, command, mode);
}
