import { Command } from 'commander';
import { UsageError } from '../../errors.js';
import type { CliContext } from '../context.js';
import { loadConfigFrom, withConfigOptions, withFormatOption, type ConfigOptions, type FormatOptions } from '../options.js';

interface BackfillOptions extends ConfigOptions, FormatOptions {
  order?: boolean;
}

export function backfillCommand(context: CliContext): Command {
  const command = new Command('backfill')
    .summary('write absent mirror rows parent-before-child; --order prints that order')
    .description(
      'Print the canonical parent-before-child order of the configured entities (--order).\n' +
        'Entities of one level have no dependency between them.',
    )
    .option('--order', 'print the canonical order and levels, then exit (needs no database)');
  withFormatOption(withConfigOptions(command));
  return command.action(async (options: BackfillOptions) => {
    if (!options.order) {
      throw new UsageError('this version of sfsync only prints the backfill order: run `sfsync backfill --order`');
    }
    const render = await import('../render/order.js');
    const config = await loadConfigFrom(options, context);
    context.stdout.write(options.format === 'json' ? render.renderOrderJson(config) : render.renderOrderTable(config));
  });
}
