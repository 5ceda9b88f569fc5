import { Command } from 'commander';
import { UsageError } from '../../errors.js';
import type { CliContext } from '../context.js';
import {
  loadConfigFrom,
  withConfigOptions,
  withFormatOption,
  type ConfigOptions,
  type FormatOptions,
} from '../options.js';
import { durationOption, failCodesOption, parseCount, parseRate } from '../parse-options.js';
import { startProgress } from '../progress.js';
import type { SimFaultCode } from '../../sim/fault-texts.js';

interface SimCliOptions extends ConfigOptions, FormatOptions {
  once?: boolean;
  watch?: boolean;
  failRate: number;
  failCodes: SimFaultCode[];
  seed: number;
  latency: number;
  batchSize: number;
  interval: number;
}

export function simCommand(context: CliContext): Command {
  const command = new Command('sim')
    .summary("simulate Heroku Connect's write path on a mirror database (for tests and demos)")
    .description(
      "Process the mirror database's _trigger_log the way Heroku Connect's Ordered Writes do: " +
        'in id order, into a fake Salesforce org kept in schema sfsync_sim. Inserts whose __r__ ' +
        'lookups resolve get an sfid (INSERTED, then SYNCED on read-back); a lookup that does ' +
        'not resolve FAILs the row with "Foreign key external ID: … not found for field … in ' +
        'entity …" and is never retried.\n\n' +
        "Writes are made with xmlbinary = 'hex', as Connect's, so they are not captured. Never " +
        'point it at a real Connect database.',
    )
    .option('--once', 'process everything queued, then exit (the default)')
    .option(
      '--watch',
      'keep processing as entries arrive (pg_notify wake-up and polling) until interrupted',
    )
    .option(
      '--fail-rate <p>',
      'probability that a write fails with one of --fail-codes (0 to below 1)',
      parseRate,
      0,
    )
    .addOption(failCodesOption())
    .option('--seed <n>', 'seed for --fail-rate, for reproducible runs', parseCount, 1)
    .addOption(
      durationOption(
        '--latency <duration>',
        'pause after each batch, like a slow org (e.g. 200ms)',
        '0s',
      ),
    )
    .option('--batch-size <n>', 'trigger-log entries per transaction', parseCount, 200)
    .addOption(
      durationOption('--interval <duration>', 'with --watch, poll at least this often', '2s'),
    );
  withFormatOption(withConfigOptions(command));
  return command.action(async (options: SimCliOptions) => {
    if (options.once && options.watch) throw new UsageError('choose --once or --watch, not both');
    const [{ runSim }, { resolveTarget }, { renderSimStats }] = await Promise.all([
      import('../../ops/sim.js'),
      import('../../config/resolve-url.js'),
      import('../../render/sim.js'),
    ]);
    const config = await loadConfigFrom(options, context);
    const progress = await startProgress(context, 'sim: processing the trigger log');
    try {
      const stats = await runSim(config, resolveTarget(config.mirror, context.env, config.file), {
        failRate: options.failRate,
        failCodes: options.failCodes,
        seed: options.seed,
        latencyMs: options.latency,
        batchSize: options.batchSize,
        watch: Boolean(options.watch),
        intervalMs: options.interval,
        // SIGINT/SIGTERM end a --watch normally: the counts are printed and the exit code is 0.
        signal: context.signal,
        onCycle: (s) =>
          progress.update(
            `sim: ${s.processed} processed ` +
              `(${s.succeeded} ok, ${s.failed} failed, ${s.ignored} ignored); waiting`,
          ),
      });
      progress.stop();
      context.stdout.write(renderSimStats(stats, options.format));
    } finally {
      progress.stop();
    }
  });
}
