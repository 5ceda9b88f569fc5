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
import { parseCount } from '../parse-options.js';

interface JournalOptions extends ConfigOptions {
  format: 'table' | 'json';
  limit: number;
}

export function journalCommand(context: CliContext): Command {
  const command = new Command('journal')
    .summary('list repair/backfill runs, or every change one run made')
    .description(
      'Without RUN_ID: the latest runs (who, where, when, what). With RUN_ID (or a unique ' +
        'prefix of it): every change that run made, with the full row before and after, from ' +
        'sfsync.journal.',
    )
    .argument('[run-id]', 'a run id, or a unique prefix of one')
    .option('--limit <n>', 'runs listed', parseCount, 20);
  withFormatOption(withConfigOptions(command));
  return command.action(async (runId: string | undefined, options: JournalOptions) => {
    const [{ readJournal }, { resolveTarget }, render] = await Promise.all([
      import('../../ops/journal.js'),
      import('../../config/resolve-url.js'),
      import('../../render/journal.js'),
    ]);
    const config = await loadConfigFrom(options, context);
    const mirror = resolveTarget(config.mirror, context.env, config.file);
    const view = await readJournal(mirror, {
      runId,
      limit: options.limit,
      timeouts: sessionTimeouts(options),
    });
    context.stdout.write(
      options.format === 'json'
        ? render.renderJournalJson(view)
        : render.renderJournalTable(view, terminalWidth(context)),
    );
  });
}
