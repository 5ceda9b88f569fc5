import { Command } from 'commander';
import { terminalWidth } from '../terminal-width.js';
import type { CliContext } from '../context.js';
import {
  loadConfigFrom,
  sessionTimeouts,
  withConfigOptions,
  withFormatOption,
  type ConfigOptions,
} from '../options.js';
import { staleOption } from '../parse-options.js';

interface WhyOptions extends ConfigOptions {
  format: 'table' | 'json';
  stale: number;
}

export function whyCommand(context: CliContext): Command {
  const command = new Command('why')
    .summary("one record's whole story: source, mirror, trigger log, class, journal, parents")
    .description(
      'Everything about one record, by its external ID: the source row read through the ' +
        "entity's source query, its mirror rows, every _trigger_log and _trigger_log_archive " +
        'entry of them, the class the audit gives the key with the parsed error and its policy, ' +
        'what repair would do next, the journal of what sfsync did to it, and whether each ' +
        'parent up to the roots is ready. Reads only, by key. Exits 0 when the record is ok or ' +
        'pending, 1 when it is a mismatch or on neither side.',
    )
    .argument('<entity>', 'the entity, as named in the config')
    .argument('<key>', 'the external ID, as text')
    .addOption(staleOption());
  withFormatOption(withConfigOptions(command));
  return command.action(async (entity: string, key: string, options: WhyOptions) => {
    const [{ explainRecord, whyEntity }, { whyExitCode }, { resolveConfig }, render] =
      await Promise.all([
        import('../../ops/why/why.js'),
        import('../exit-codes.js'),
        import('../../config/resolve-url.js'),
        import('../../render/why.js'),
      ]);
    const loaded = await loadConfigFrom(options, context);
    // An unknown entity is a usage error before any database URL is even resolved.
    whyEntity(loaded, entity);
    const config = resolveConfig(loaded, context.env);
    const story = await explainRecord(config, {
      entity,
      key,
      staleMs: options.stale,
      timeouts: sessionTimeouts(options),
    });
    context.stdout.write(
      options.format === 'json'
        ? render.renderWhyJson(story)
        : render.renderWhyTable(story, terminalWidth(context)),
    );
    context.exitCode = whyExitCode(story);
  });
}
