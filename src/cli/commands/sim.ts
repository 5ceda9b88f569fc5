import { Command, InvalidArgumentError } from 'commander';
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
import { DEFAULT_DELAY_CYCLES } from '../../sim/faults.js';

interface SimCliOptions extends ConfigOptions, FormatOptions {
  once?: boolean;
  watch?: boolean;
  failRate: number;
  failCodes: SimFaultCode[];
  seed: number;
  latency: number;
  batchSize: number;
  interval: number;
  transientRate: number;
  dataFixRate: number;
  terminalRate: number;
  dropRate: number;
  delayRate: number;
  delayCycles: number;
  flipRate: number;
}

/**
 * A fault rate: 0 to 1 inclusive, unlike --fail-rate, since a campaign may want every write to
 * meet a fault (terminal or data-fix rows at 1 are a plain, useful case).
 */
function parseFaultRate(value: string): number {
  const rate = Number(value);
  if (!(value.trim() !== '' && rate >= 0 && rate <= 1))
    throw new InvalidArgumentError('expected a probability from 0 to 1');
  return rate;
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
    .option(
      '--transient-rate <p>',
      'probability that a write attempt fails with UNABLE_TO_LOCK_ROW or REQUEST_LIMIT_EXCEEDED ' +
        '(retry-now: a later write of the row may succeed)',
      parseFaultRate,
      0,
    )
    .option(
      '--data-fix-rate <p>',
      'share of rows whose values fail every write (FIELD_CUSTOM_VALIDATION_EXCEPTION, ' +
        'REQUIRED_FIELD_MISSING or STRING_TOO_LONG), decided by the seed, table, external ID ' +
        'and values: once the values change the row usually syncs',
      parseFaultRate,
      0,
    )
    .option(
      '--terminal-rate <p>',
      'share of records, by seed, table and external ID, that fail every write with ' +
        'ENTITY_IS_DELETED whatever their values',
      parseFaultRate,
      0,
    )
    .option(
      '--drop-rate <p>',
      'probability that Connect drops a write: the entry is logged SUCCESS but nothing reaches ' +
        'the org and the row keeps its sfid and _hc_lastop (PENDING)',
      parseFaultRate,
      0,
    )
    .option(
      '--delay-rate <p>',
      'probability that an entry stays NEW for --delay-cycles passes before it is processed ' +
        '(a pass is a --watch cycle; --once makes one pass, so a delayed entry stays queued ' +
        'and the next run draws for it afresh)',
      parseFaultRate,
      0,
    )
    .option(
      '--delay-cycles <n>',
      'passes a delayed entry waits out',
      parseCount,
      DEFAULT_DELAY_CYCLES,
    )
    .option(
      '--flip-rate <p>',
      'probability that a successful write flips: the next pass logs a FAILED UPDATE ' +
        '(UNABLE_TO_LOCK_ROW) for the record and marks the row FAILED, its sfid kept',
      parseFaultRate,
      0,
    )
    .option(
      '--seed <n>',
      'seed for --fail-rate and the faults, for reproducible runs',
      parseCount,
      1,
    )
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
        faults: {
          transient: options.transientRate,
          dataFix: options.dataFixRate,
          terminal: options.terminalRate,
          drop: options.dropRate,
          delay: options.delayRate,
          delayCycles: options.delayCycles,
          flip: options.flipRate,
        },
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
