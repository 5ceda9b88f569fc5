import { Command } from 'commander';
import { terminalWidth } from '../terminal-width.js';
import type { CliContext } from '../context.js';
import { loadConfigFrom, withConfigOptions } from '../options.js';
import { runWriteCommand, withRunOptions, type RepairCliOptions } from './repair.js';

interface BackfillOptions extends RepairCliOptions {
  order?: boolean;
}

export function backfillCommand(context: CliContext): Command {
  const command = new Command('backfill')
    .summary('write absent mirror rows parent-before-child; --order prints that order')
    .description(
      'Insert every absent mirror row, entity by entity in canonical order (parents first), ' +
        'for turning sync on for a new object. Children wait for their parents: without --wait ' +
        'they are deferred until a later run; with --wait each level waits for Connect to give ' +
        'its rows an sfid.\n\n' +
        'Resumable: a checkpoint per entity in sfsync.checkpoints; a finished backfill does ' +
        'nothing when run again (--restart to forget the checkpoints). Refuses to write while ' +
        'the config has todo notes from sfsync init (--allow-todo overrides). --order prints ' +
        'the canonical order and levels (entities of one level do not depend on each other).',
    )
    .option('--order', 'print the canonical order and levels, then exit (needs no database)')
    .option('--dry-run', 'print the plan and write nothing')
    .option('-y, --yes', 'write without asking (required when stdin is not a terminal)')
    .option('--restart', 'forget the checkpoints of earlier backfills and start over');
  withRunOptions(command);
  withConfigOptions(command);
  return command.action(async (options: BackfillOptions) => {
    if (!options.order)
      return runWriteCommand('backfill', { ...options, strategy: 'reinsert' }, context);
    const render = await import('../../render/order.js');
    const config = await loadConfigFrom(options, context);
    context.stdout.write(render.renderOrder(config, options.format, terminalWidth(context)));
  });
}
