import type { EntityGraph } from '../../core/entities/graph.js';
import { notificationBody, shouldNotify } from '../../core/history/notification.js';
import type { Increase } from '../../core/history/trend.js';
import type { AuditResult } from '../../core/audit/result.js';
import { statusCounts, type RepairResult } from '../../core/repair/result.js';
import type { RepairReport } from '../../render/action-log.js';
import { currentHost } from '../../ops/run-identity.js';
import { OutputError } from '../../errors.js';
import type { CliContext } from '../context.js';
import { describeFailure } from '../failure.js';
import { renderAuditHtml } from '../../render/audit-html.js';
import { renderAuditMarkdown } from '../../render/audit-markdown.js';
import {
  LAST_SUCCESS,
  LAST_SUCCESS_FINDINGS,
  previousValue,
  ranToCompletion,
  renderMetrics,
  type RunMode,
} from '../../render/metrics.js';
import { renderRepairMarkdown } from '../../render/repair-markdown.js';
import type { TrendPoint } from '../../render/svg.js';
import { stderrText } from '../stderr-text.js';
import { VERSION } from '../version.js';
import { postBody } from './http-post.js';
import type { ReportOptions } from './options.js';
import { appendReport, readPreviousReport, writeReport } from './report-files.js';

/** Everything the reports of one run are made from: its result, or the error that stopped it. */
export interface RunReport {
  readonly command: 'audit' | 'repair' | 'backfill';
  /** Date.now() when the command started. */
  readonly startedAt: number;
  readonly exitCode: number;
  /** The error that stopped the run, safe to show. */
  readonly error?: string | undefined;
  readonly audit?: AuditResult | undefined;
  readonly repair?: RepairReport | undefined;
  readonly increases: readonly Increase[];
  readonly trend: readonly TrendPoint[] | null;
  /** The databases the run read, without credentials, for the HTML report. */
  readonly databases?: readonly string[] | undefined;
}

export interface ReportTarget {
  readonly context: CliContext;
  /** repair and backfill pass their own options, which say whether this is a dry run. */
  readonly options: ReportOptions & { readonly dryRun?: boolean | undefined };
  readonly details: number;
}

/**
 * What a command's work gives the reports: its result, with the entity graph of its config
 * (undefined: `merge` without one) and the exit code it set on the context.
 */
export type WorkDone = Omit<RunReport, 'command' | 'startedAt' | 'error' | 'exitCode'> & {
  readonly graph: EntityGraph | undefined;
};

/**
 * Runs a command's work (load the config, run, print the main output, set the
 * exit code) and then writes its reports. A run stopped by an error gets its
 * reports too — the metrics say it failed, the webhook says why — and the
 * error is rethrown for run.ts to print; a report failing on top of it is only a warning.
 */
export async function runWithReports(
  target: ReportTarget,
  command: RunReport['command'],
  work: () => Promise<WorkDone>,
): Promise<void> {
  const startedAt = Date.now();
  let done: WorkDone;
  try {
    done = await work();
  } catch (error) {
    const failure = describeFailure(error);
    const report = {
      command,
      startedAt,
      exitCode: failure.exitCode,
      error: failure.message,
      increases: [],
      trend: null,
    };
    await emitReports(target, undefined, report).catch((more: Error) =>
      target.context.stderr.write(`sfsync: warning: ${stderrText(more.message)}\n`),
    );
    throw error;
  }
  const { graph, ...result } = done;
  await emitReports(target, graph, {
    command,
    startedAt,
    exitCode: target.context.exitCode,
    ...result,
  });
}

/**
 * The side outputs of an unattended run, after its main output: the CI step
 * summary, the HTML report and the metrics file, the Pushgateway, the webhook.
 * The two report files must be written: one that cannot be fails the run with
 * exit 74 — after the rest is sent, and the webhook hears of it. The step
 * summary, the Pushgateway and the webhook only warn: they never change the exit code.
 */
async function emitReports(
  target: ReportTarget,
  graph: EntityGraph | undefined,
  report: RunReport,
): Promise<void> {
  const { context, options } = target;
  const warn = (text: string) => context.stderr.write(`sfsync: warning: ${stderrText(text)}\n`);

  const summaryFile = context.env.GITHUB_STEP_SUMMARY;
  if (summaryFile) {
    await appendReport(
      summaryFile,
      `${markdown(target, graph, report)}\n`,
      '$GITHUB_STEP_SUMMARY',
      context,
      warn,
    );
  }
  let unwritten: OutputError | undefined;
  const writeFile = (path: string, text: string, what: string) =>
    writeReport(path, text, what, context).catch((error: unknown) => {
      if (!(error instanceof OutputError)) throw error;
      unwritten ??= error;
    });
  if (options.html && report.audit)
    await writeFile(
      options.html,
      renderAuditHtml(report.audit, {
        graph,
        trend: report.trend,
        increases: report.increases,
        exitCode: report.exitCode,
        failOnIncrease: Boolean(options.failOnIncrease),
        databases: report.databases ?? [],
        version: VERSION,
      }),
      'HTML report',
    );
  // An HTML report that could not be written fails the run with exit 74: the metrics say so.
  const exitCode = unwritten ? unwritten.exitCode : report.exitCode;
  const mode = modeOf(report, options);
  const metrics =
    options.metrics || options.pushgateway
      ? await metricsText({ ...report, exitCode }, mode, options.metrics, warn)
      : undefined;
  if (options.metrics && metrics) await writeFile(options.metrics, metrics, 'metrics file');
  if (options.pushgateway && metrics) {
    // POST replaces only the metrics it carries, so a failed run leaves the last success time in
    // the gateway as it was. Plan and apply get groups of their own: in one group a dry run's
    // push would replace, and so erase, the last success of the runs that write.
    const gateway = options.pushgateway.replace(/\/+$/, '');
    const group = `/metrics/job/sfsync/command/${report.command}${mode ? `/mode/${mode}` : ''}`;
    await postBody(
      `${gateway}${group}`,
      metrics,
      'text/plain; version=0.0.4',
      options.notifyTimeout,
    ).catch((error: Error) => warn(`--pushgateway: ${error.message}`));
  }
  for (const [option, value] of [
    ['--notify', options.notify],
    ['--pushgateway', options.pushgateway],
  ] as const)
    if (value === '') context.stderr.write(`sfsync: note: ${option} is empty, so it is off\n`);
  if (options.notify) {
    const outcome = {
      command: report.command,
      host: currentHost(),
      exitCode: unwritten ? unwritten.exitCode : report.exitCode,
      error: report.error ?? unwritten?.message,
      mismatches: report.audit?.totals.mismatches,
      actions: report.repair ? countByStatus(report.repair.result) : undefined,
      increases: report.increases,
    };
    if (shouldNotify(outcome)) {
      await postBody(
        options.notify,
        JSON.stringify(notificationBody(outcome)),
        'application/json',
        options.notifyTimeout,
      ).catch((error: Error) => warn(`--notify: ${error.message}`));
    }
  }
  if (unwritten) throw unwritten;
}

function markdown(target: ReportTarget, graph: EntityGraph | undefined, report: RunReport): string {
  if (report.audit)
    return renderAuditMarkdown(report.audit, graph, target.details, report.increases);
  if (report.repair && graph)
    return renderRepairMarkdown(report.repair, report.command, graph, target.details);
  // Three backticks in the error would end its code block early.
  const errorText = (report.error ?? '').replace(/```/g, "'''");
  const codeBlock = `\`\`\`\n${errorText}\n\`\`\`\n`;
  return `## sfsync ${report.command} failed (exit ${report.exitCode})\n\n${codeBlock}`;
}

/** repair/backfill: plan (--dry-run) or apply; audit has no mode. */
function modeOf(report: RunReport, options: ReportTarget['options']): RunMode | undefined {
  if (report.command === 'audit') return undefined;
  // The result knows; a run that failed before it had one goes by its options.
  return (report.repair?.result.dryRun ?? options.dryRun) ? 'plan' : 'apply';
}

async function metricsText(
  report: RunReport,
  mode: RunMode | undefined,
  file: string | undefined,
  warn: (text: string) => void,
): Promise<string> {
  const finishedAt = Date.now();
  const repair = report.repair?.result;
  // Only a run that did not complete carries values over, so only it reads the previous file.
  const previous =
    !ranToCompletion(report.exitCode, repair) && file
      ? await readPreviousReport(file, 'metrics file', warn)
      : '';
  return renderMetrics({
    command: report.command,
    audit: report.audit,
    repair,
    mode,
    durationSeconds: (finishedAt - report.startedAt) / 1000,
    exitCode: report.exitCode,
    finishedAt: Math.floor(finishedAt / 1000),
    previousSuccess: previousValue(previous, LAST_SUCCESS, report.command, mode),
    previousFindings: previousValue(previous, LAST_SUCCESS_FINDINGS, report.command, mode),
  });
}

/** Actions by status, those that occurred. */
function countByStatus(result: RepairResult): Record<string, number> {
  return Object.fromEntries(Object.entries(statusCounts(result.summary)).filter(([, n]) => n > 0));
}
