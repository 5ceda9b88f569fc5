import { Command, Option } from 'commander';
import { terminalWidth } from '../terminal-width.js';
import {
  AUDIT_METHODS,
  MAX_AUDIT_CONCURRENCY,
  type AuditMethod,
  type MismatchClass,
} from '../../core/audit/types.js';
import type { Shard } from '../../core/methods/shard.js';
import { UsageError } from '../../errors.js';
import type { CliContext } from '../context.js';
import {
  loadRunConfig,
  sessionTimeouts,
  withConfigOptions,
  withFormatOption,
  type ConfigOptions,
} from '../options.js';
import { paint } from '../../render/paint.js';
import { outputMode } from '../output-mode.js';
import {
  detailsOption,
  failOnOption,
  parseCount,
  parseShardOption,
  repeatableOption,
  staleOption,
} from '../parse-options.js';
import { auditProgressReporter } from '../audit-progress.js';
import { startProgress } from '../progress.js';
import { withReportOptions, type ReportOptions } from '../reports/options.js';
import {
  AUDIT_FORMATS,
  type AuditFormat,
  writeAuditOutputFiles,
} from '../reports/audit-output-files.js';
import { outputFilesOption, type OutputFile } from '../reports/output-files.js';
import { databaseNames } from '../reports/database-names.js';
import { compareWithHistory, noteFirstBaseline } from './audit-history.js';

interface AuditOptions extends ConfigOptions, ReportOptions {
  format: AuditFormat;
  output: OutputFile<AuditFormat>[];
  entity?: string[];
  stale: number;
  details: number;
  failOn: MismatchClass[];
  method: AuditMethod | 'auto';
  shard?: Shard;
  concurrency: number;
}

export function auditCommand(context: CliContext): Command {
  const command = new Command('audit')
    .summary('diff source tables against mirror tables and classify every mismatch')
    .description(
      "Compare each entity's source rows with its mirror rows by external ID, in canonical " +
        'order, and classify every key: duplicate, missing_parent, failed, absent, stuck, drift, ' +
        'orphan (mismatches), or ok / pending. Reads only, in READ ONLY transactions (--record ' +
        'writes its summary to the sfsync schema).\n\n' +
        'Exit codes: 0 no mismatch in the --fail-on classes (with --fail-on-increase: none of ' +
        'them grew), 1 mismatches found (or grew), 2 usage/config, 3 database, 74 a report file ' +
        'could not be written.',
    )
    .addOption(
      repeatableOption(
        '-e, --entity <name>',
        'audit only this entity (repeatable); its parents are read, not reported',
        'all entities',
      ),
    )
    .addOption(staleOption())
    .addOption(detailsOption('mismatches'))
    .addOption(failOnOption())
    .addOption(
      new Option(
        '--method <method>',
        'how the sides are compared: join in the database (both schemas in one), ' +
          'stream, or checksum; auto picks',
      )
        .choices(['auto', ...AUDIT_METHODS])
        .default('auto'),
    )
    .option(
      '--concurrency <n>',
      'entities audited at once, each on its own sessions sharing one snapshot per database',
      parseCount,
      1,
    )
    .option(
      '--shard <K/N>',
      'audit only the keys of shard K of N (a stable hash of the external ID); ' +
        '`sfsync merge` adds the N reports up',
      parseShardOption,
    );
  withReportOptions(withFormatOption(withConfigOptions(command), AUDIT_FORMATS), 'audit').addOption(
    outputFilesOption(AUDIT_FORMATS),
  );
  return command.action(async (options: AuditOptions) => {
    const [{ runAudit }, { MISMATCHES_IN_MEMORY }, render, { auditExitCode }, { runWithReports }] =
      await Promise.all([
        import('../../ops/audit/audit.js'),
        import('../../ops/audit/mismatch-spool.js'),
        import('../../render/audit-output.js'),
        import('../exit-codes.js'),
        import('../reports/emit.js'),
      ]);
    await runWithReports({ context, options, details: options.details }, 'audit', async () => {
      if (options.concurrency < 1 || options.concurrency > MAX_AUDIT_CONCURRENCY) {
        throw new UsageError(`--concurrency must be 1 to ${MAX_AUDIT_CONCURRENCY}`);
      }
      if (options.shard && (options.record || options.failOnIncrease)) {
        // A shard's counts are part of the whole: recorded, they would read as the backlog
        // shrinking.
        throw new UsageError(
          '--record and --fail-on-increase compare whole audits, not one shard; ' +
            'leave them out of a sharded run',
        );
      }
      const config = await loadRunConfig(options, context);
      const progress = await startProgress(context, 'auditing');
      // ndjson's mismatch lines go out as each entity finishes, while the next one is audited.
      let streamed = Promise.resolve();
      try {
        const result = await runAudit(config, {
          entities: options.entity,
          staleMs: options.stale,
          method: options.method,
          shard: options.shard,
          concurrency: options.concurrency,
          signal: context.signal,
          timeouts: sessionTimeouts(options),
          onProgress: auditProgressReporter(progress),
          onEntity: (entity) => {
            // Why each entity was compared as it was: the cost estimate behind `auto`.
            if (context.verbosity === 'verbose' && entity.methodChoice)
              progress.succeed(`${entity.name}: ${entity.method}: ${entity.methodChoice.reason}`);
            if (options.format === 'ndjson') {
              streamed = streamed.then(() => render.writeAuditNdjsonEntity(context.stdout, entity));
              // Awaited below; until then a failed write must not count as unhandled.
              streamed.catch(() => undefined);
            }
          },
          mismatchesInMemory: MISMATCHES_IN_MEMORY,
        });
        await streamed;
        const history = await compareWithHistory(
          config.mirror,
          result,
          { ...options, timeouts: sessionTimeouts(options) },
          context,
        );
        progress.stop();
        const style = {
          details: options.details,
          width: terminalWidth(context),
          paint: paint(outputMode(context, context.env)),
          graph: config.graph,
        };
        const styled = { ...style, increases: history.increases };
        await render.writeAudit(context.stdout, result, options.format, styled);
        await writeAuditOutputFiles(options.output, result, styled, context);
        noteFirstBaseline(history, options.failOnIncrease, context);
        context.exitCode = auditExitCode(
          result,
          options.failOn,
          options.failOnIncrease ? history.increases : undefined,
        );
        return {
          graph: config.graph,
          audit: result,
          increases: history.increases,
          trend: history.trend,
          databases: databaseNames([config.source, config.mirror]),
        };
      } finally {
        progress.stop();
      }
    });
  });
}
