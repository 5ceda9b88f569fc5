import { Gauge, Registry } from 'prom-client';
import { MISMATCH_CLASSES } from '../core/audit/types.js';
import type { AuditResult } from '../core/audit/result.js';
import type { RepairResult } from '../core/repair/result.js';

/** What one run has to say in Prometheus' text format. */
export interface MetricsInput {
  readonly command: string;
  readonly audit?: AuditResult | undefined;
  readonly repair?: RepairResult | undefined;
  readonly durationSeconds: number;
  readonly exitCode: number;
  /** Unix seconds this run finished; written as last success only when the run succeeded. */
  readonly finishedAt: number;
  /** The previous file's last-success timestamp, carried over by a run that did not succeed. */
  readonly previousSuccess?: number | undefined;
}

/**
 * The node_exporter textfile collector's format, built with prom-client so
 * names, label escaping and HELP/TYPE lines follow the exposition format.
 * Every entity × class is written, zeros included, so an alert can tell
 * "no mismatches" from "no data".
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
  if (input.repair) {
    const actions = gauge(
      'sfsync_repair_actions_total',
      'Actions of the last run, by entity, action and status.',
      ['entity', 'action', 'status'],
    );
    for (const [entity, byAction] of Object.entries(input.repair.summary)) {
      for (const [action, byStatus] of Object.entries(byAction)) {
        for (const [status, count] of Object.entries(byStatus ?? {}))
          actions.set({ entity, action, status }, count ?? 0);
      }
    }
  }
  const labels = { command: input.command };
  gauge('sfsync_run_duration_seconds', 'Wall time of the last run.', ['command']).set(
    labels,
    round(input.durationSeconds),
  );
  gauge('sfsync_last_run_timestamp_seconds', 'When the last run finished (Unix time).', [
    'command',
  ]).set(labels, input.finishedAt);
  gauge(
    'sfsync_last_exit_code',
    'Exit code of the last run (see the README: 0 ok, 1 findings, 2 usage, 3 database, 4 lock).',
    ['command'],
  ).set(labels, input.exitCode);
  const success = input.exitCode === 0 ? input.finishedAt : input.previousSuccess;
  if (success !== undefined) {
    gauge(
      'sfsync_last_success_timestamp_seconds',
      'When a run last finished with exit code 0 (Unix time).',
      ['command'],
    ).set(labels, success);
  }
  return registry.metrics();
}

function round(seconds: number): number {
  return Math.round(seconds * 1000) / 1000;
}

/**
 * The last-success timestamp a previous metrics file recorded for this command, so a failed run
 * keeps it.
 */
export function previousSuccess(text: string, command: string): number | undefined {
  for (const line of text.split('\n')) {
    const match = /^sfsync_last_success_timestamp_seconds\{([^}]*)\}\s+(\S+)/.exec(line);
    if (match && match[1]!.includes(`command="${command}"`)) {
      const value = Number(match[2]);
      if (Number.isFinite(value)) return value;
    }
  }
  return undefined;
}
