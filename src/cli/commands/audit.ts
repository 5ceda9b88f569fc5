import { Command } from 'commander';
import { MISMATCH_CLASSES, type MismatchClass } from '../../core/audit-types.js';
import { parseDuration } from '../../core/duration.js';
import type { CliContext } from '../context.js';
import { loadRunConfig, OUTPUT_FORMATS, sessionTimeouts, withConfigOptions, withFormatOption, type ConfigOptions } from '../options.js';
import { collect, parseClasses, parseCount, parseDurationOption } from '../parse-options.js';
import { startProgress } from '../progress.js';

interface AuditOptions extends ConfigOptions {
  format: 'table' | 'json' | 'ndjson';
  entity?: string[];
  stale: number;
  details: number;
  failOn: MismatchClass[];
}

export function auditCommand(context: CliContext): Command {
  const command = new Command('audit')
    .summary('diff source tables against mirror tables and classify every mismatch')
    .description(
      "Compare each entity's source rows with its mirror rows by external ID, in canonical order, and\n" +
        'classify every key: duplicate, missing_parent, failed, absent, stuck, drift, orphan (mismatches),\n' +
        'or ok / pending. Reads only, in READ ONLY transactions.\n' +
        'Exit codes: 0 no mismatch in the --fail-on classes, 1 mismatches found, 2 usage/config, 3 database.',
    )
    .option('-e, --entity <name>', 'audit only this entity (repeatable); its parents are read, not reported', collect, [])
    .option('--stale <duration>', 'unsynced rows older than this are stuck (e.g. 90s, 30m, 2h)', parseDurationOption, parseDuration('30m'))
    .option('--details <n>', 'mismatches listed per entity in the table output', parseCount, 20)
    .option('--fail-on <classes>', `comma-separated classes that make the exit code 1 (default: all of ${MISMATCH_CLASSES.join(',')})`, parseClasses, [
      ...MISMATCH_CLASSES,
    ]);
  withFormatOption(withConfigOptions(command), [...OUTPUT_FORMATS, 'ndjson']);
  return command.action(async (options: AuditOptions) => {
    const [{ runAudit }, render, { auditExitCode }] = await Promise.all([
      import('../../ops/audit.js'),
      import('../render/audit.js'),
      import('../exit-codes.js'),
    ]);
    const config = await loadRunConfig(options, context);
    const progress = await startProgress(context, 'auditing');
    try {
      const result = await runAudit(config, {
        entities: options.entity,
        staleMs: options.stale,
        signal: context.signal,
        timeouts: sessionTimeouts(options),
        onProgress: ({ entity, rows, done }) => {
          if (done) progress.succeed(`${entity}: ${rows} keys`);
          else progress.update(`${entity}: ${rows} keys read`);
        },
        onEntity: (entity) => {
          if (options.format === 'ndjson') context.stdout.write(render.renderAuditNdjsonEntity(entity));
        },
      });
      progress.stop();
      if (options.format === 'json') context.stdout.write(render.renderAuditJson(result));
      else if (options.format === 'ndjson') context.stdout.write(render.renderAuditNdjsonSummary(result));
      else context.stdout.write(render.renderAuditTable(result, options.details, context.stdout.columns ?? 160));
      context.exitCode = auditExitCode(result, options.failOn);
    } finally {
      progress.stop();
    }
  });
}
