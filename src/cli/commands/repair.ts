import { Command, Option } from 'commander';
import { terminalWidth } from '../terminal-width.js';
import { MISMATCH_CLASSES } from '../../core/audit/types.js';
import { UsageError } from '../../errors.js';
import type { CliContext } from '../context.js';
import { redactCommandLine } from '../../core/redact.js';
import {
  loadRunConfig,
  sessionTimeouts,
  withConfigOptions,
  withFormatOption,
  type ConfigOptions,
} from '../options.js';
import {
  detailsOption,
  parseClasses,
  parseCount,
  parseDurationOption,
  repeatableOption,
  staleOption,
} from '../parse-options.js';
import { paint } from '../../render/paint.js';
import { inCi, outputMode } from '../output-mode.js';
import { startProgress } from '../progress.js';
import { confirmOnTerminal } from '../prompt.js';
import { withReportOptions, type ReportOptions } from '../reports/options.js';
import { outputFilesOption, type OutputFile, writeOutputFiles } from '../reports/output-files.js';
import { ActionLog } from '../../render/action-log.js';
import { statusCounts } from '../../core/repair/result.js';
import { describeUrl } from '../../db/driver/describe-url.js';
import { retryProblem } from '../../core/connect/error-policy.js';

export interface RepairCliOptions extends ConfigOptions, ReportOptions {
  format: RepairFormat;
  output: OutputFile<RepairFormat>[];
  dryRun?: boolean;
  detailedExitCode?: boolean;
  yes?: boolean;
  strategy: 'reinsert' | 'recapture';
  only?: (typeof MISMATCH_CLASSES)[number][];
  entity: string[];
  batchSize: number;
  concurrency: number;
  stale: number;
  wait?: number;
  details: number;
  restart?: boolean;
  allowTodo?: boolean;
  retry?: string[];
  maxWrites?: number;
  resetAttempts?: boolean;
}

const REPAIR_FORMATS = ['table', 'json', 'markdown', 'csv'] as const;
type RepairFormat = (typeof REPAIR_FORMATS)[number];

export function repairCommand(context: CliContext): Command {
  const command = new Command('repair')
    .summary(
      'fix mismatches in canonical order: insert, re-insert, dedupe, update (with --dry-run)',
    )
    .description(
      'Plan a fix for every mismatch the audit finds and carry it out parents first: absent → ' +
        "insert; failed → delete the sfid-NULL row and insert it again when its error code's " +
        'policy allows (a data-fix failure waits for its source row to change, or --retry); ' +
        'duplicate → delete the sfid-NULL extras; drift → update the differing columns; ' +
        'missing_parent → defer; stuck, orphan, other failures → skip, with the reason.\n\n' +
        'Never deletes or rewrites a row that has an sfid; journals every change in ' +
        'sfsync.journal. Refuses to write while the config has todo notes from sfsync init ' +
        '(--allow-todo overrides).\n\n' +
        'Exit codes: 0 all done (or, with --dry-run, a plan computed), 1 something failed or ' +
        'was deferred, 2 usage/config (todo notes left too), 3 database, 4 another run holds ' +
        'the lock.',
    )
    .option('--dry-run', 'print the plan and write nothing')
    .option('-y, --yes', 'write without asking (required when stdin is not a terminal)')
    .addOption(
      new Option('--strategy <strategy>', 'how to retry a repairable FAILED insert')
        .choices(['reinsert', 'recapture'])
        .default('reinsert'),
    );
  withRunOptions(command);
  command.option(
    '--only <classes>',
    `act only on these mismatch classes (comma-separated: ${MISMATCH_CLASSES.join(',')})`,
    parseClasses,
  );
  command.addOption(
    new Option(
      '--retry <codes>',
      'also re-send the FAILED rows of these error codes or policies (data-fix, config-fix, ' +
        'unknown; comma-separated, repeatable), which otherwise wait until their source row ' +
        'changes; never terminal ones',
    ).argParser(collectList),
  );
  command.option(
    '--reset-attempts',
    'forget how often the FAILED rows of the entities in scope were re-sent, so rows that ' +
      'were given up (gave_up) and rows waiting out a backoff are re-sent now',
  );
  withConfigOptions(command);
  return command.action((options: RepairCliOptions) => runWriteCommand('repair', options, context));
}

/** Options repair and backfill share. */
export function withRunOptions(command: Command): Command {
  withReportOptions(command, 'write');
  return withFormatOption(command, REPAIR_FORMATS)
    .addOption(outputFilesOption(REPAIR_FORMATS))
    .addOption(
      repeatableOption(
        '-e, --entity <name>',
        'only this entity (repeatable); its parents are read, not written',
        'all entities',
      ),
    )
    .option(
      '--detailed-exit-code',
      'with --dry-run, exit 1 when the plan would write or defer anything (default: 0 for a plan)',
    )
    .option('--batch-size <n>', 'rows per transaction', parseCount, 500)
    .option('--concurrency <n>', 'entities of one level written at once', parseCount, 2)
    .addOption(staleOption())
    .option(
      '--wait <duration>',
      'after each level, wait this long for Connect to give the written rows an sfid (e.g. 5m)',
      parseDurationOption,
    )
    .addOption(detailsOption('actions'))
    .option('--allow-todo', 'write even though the config still has todo notes from sfsync init')
    .addOption(
      new Option(
        '--max-writes <n>',
        "write at most this many rows this run (over the config's repair.maxWrites); the rest " +
          'are deferred to the next run and reported as such',
      )
        .argParser(parseCount)
        .env('SFSYNC_MAX_WRITES'),
    );
}

/** A comma-separated option that may also be given more than once. */
function collectList(value: string, previous: string[] | undefined): string[] {
  const list = value
    .split(',')
    .map((v) => v.trim())
    .filter(Boolean);
  return [...(previous ?? []), ...list];
}

export async function runWriteCommand(
  name: 'repair' | 'backfill',
  options: RepairCliOptions,
  context: CliContext,
): Promise<void> {
  if (!options.dryRun && !options.yes && (!context.stdinIsTTY || inCi(context.env))) {
    const why = context.stdinIsTTY ? 'CI is set' : 'stdin is not a terminal';
    throw new UsageError(
      `refusing to write without --yes when ${why} ` +
        `(see the plan first with \`sfsync ${name} --dry-run\`)`,
    );
  }
  if (options.batchSize < 1 || options.concurrency < 1)
    throw new UsageError('--batch-size and --concurrency must be at least 1');
  if (options.maxWrites === 0)
    throw new UsageError('--max-writes must be at least 1 (to write nothing, use --dry-run)');
  const [{ runRepair }, render, { repairExitCode }, backfill, { runWithReports }] =
    await Promise.all([
      import('../../ops/repair/repair.js'),
      import('../../render/repair-output.js'),
      import('../exit-codes.js'),
      name === 'backfill' ? import('../../ops/repair/backfill.js') : Promise.resolve(undefined),
      import('../reports/emit.js'),
    ]);
  await runWithReports({ context, options, details: options.details }, name, async () => {
    const config = await loadRunConfig(options, context);
    for (const token of options.retry ?? []) {
      const problem = retryProblem(token, config.repair.policies);
      if (problem) throw new UsageError(`--retry ${token}: ${problem}`);
    }
    const progress = await startProgress(context, `${name}: auditing`);
    // The actions as they are carried out: a few per entity for the table, every one (in a file)
    // for JSON and CSV.
    const formats = [options.format, ...options.output.map((file) => file.format)];
    const log = new ActionLog(options.details, formats.some(render.listsEveryAction));
    try {
      const result = await runRepair(config, {
        command: name,
        dryRun: Boolean(options.dryRun),
        strategy: options.strategy ?? 'reinsert',
        only: options.only,
        entities: options.entity,
        batchSize: options.batchSize,
        concurrency: options.concurrency,
        staleMs: options.stale,
        waitMs: options.wait,
        env: context.env,
        signal: context.signal,
        timeouts: sessionTimeouts(options),
        commandLine: redactCommandLine(['sfsync', ...context.argv]),
        backfill: backfill?.backfillHooks(Boolean(options.restart)),
        confirm: options.yes
          ? undefined
          : async (plan) => {
              progress.stop();
              context.stderr.write(render.renderPlanSummary(plan));
              const writes = statusCounts(plan).planned;
              const where = `${describeUrl(config.mirror.url)} (schema ${config.mirror.schema})`;
              return confirmOnTerminal(
                context,
                `${name}: apply ${writes} change(s) to the mirror database ${where}? [y/N] `,
              );
            },
        onProgress: (text) => progress.update(`${name}: ${text}`),
        onActions: (actions) => log.add(actions),
        allowTodo: options.allowTodo,
        retry: options.retry,
        maxWrites: options.maxWrites,
        resetAttempts: options.resetAttempts,
      });
      progress.stop();
      const style = {
        details: options.details,
        width: terminalWidth(context),
        paint: paint(outputMode(context, context.env)),
        graph: config.graph,
      };
      const report = log.report(result);
      await render.printRepair(context.stdout, report, name, options.format, style);
      const plain = { ...style, paint: paint({ color: false }) };
      await writeOutputFiles(
        options.output,
        (format, out) => render.printRepair(out, report, name, format, plain),
        context,
      );
      context.exitCode = repairExitCode(result, Boolean(options.detailedExitCode));
      return { graph: config.graph, repair: report, increases: [], trend: null };
    } finally {
      progress.stop();
      log.close();
    }
  });
}
