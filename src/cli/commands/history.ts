import { Command } from 'commander';
import { terminalWidth } from '../terminal-width.js';
import { UsageError } from '../../errors.js';
import type { CliContext } from '../context.js';
import {
  loadConfigFrom,
  sessionTimeouts,
  withConfigOptions,
  withFormatOption,
  type ConfigOptions,
} from '../options.js';
import { parseCount, repeatableOption } from '../parse-options.js';

interface HistoryOptions extends ConfigOptions {
  format: 'table' | 'json';
  entity: string[];
  limit: number;
}

export function historyCommand(context: CliContext): Command {
  const command = new Command('history')
    .summary('the last recorded audits per entity, with their trend')
    .description(
      'Reads the summaries that `sfsync audit --record` (or `sfsync merge --record`) stored in ' +
        'the sfsync schema of the mirror database: per entity, the mismatches of its last N ' +
        'recorded runs (a sparkline on a terminal) and what changed since the run before. Needs ' +
        'only the mirror database.',
    )
    .addOption(
      repeatableOption('-e, --entity <name>', 'only this entity (repeatable)', 'all entities'),
    )
    .option('--limit <n>', 'recorded runs per entity', parseCount, 10);
  withFormatOption(withConfigOptions(command));
  return command.action(async (options: HistoryOptions) => {
    const [{ readRecorded }, { resolveTarget }, render] = await Promise.all([
      import('../../ops/history.js'),
      import('../../config/resolve-url.js'),
      import('../../render/history.js'),
    ]);
    const config = await loadConfigFrom(options, context);
    const known = new Set(config.entities.map((e) => e.name));
    const unknown = options.entity.filter((name) => !known.has(name));
    if (unknown.length > 0) {
      throw new UsageError(
        `unknown entit${unknown.length === 1 ? 'y' : 'ies'} ${unknown.join(', ')} ` +
          `(the config has ${[...known].join(', ')})`,
      );
    }
    const mirror = resolveTarget(config.mirror, context.env, config.file);
    const { points, ignored } = await readRecorded(mirror, {
      entities: options.entity,
      limit: options.limit,
      timeouts: sessionTimeouts(options),
    });
    context.stderr.write(render.renderIgnoredHistory(ignored));
    // Entities in canonical order, then any that were recorded but are no longer configured.
    const order = [
      ...config.graph.order,
      ...new Set(points.map((p) => p.entity).filter((name) => !known.has(name))),
    ];
    context.stdout.write(
      options.format === 'json'
        ? render.renderHistoryJson(points, order)
        : render.renderHistoryTable(points, order, terminalWidth(context)),
    );
  });
}
