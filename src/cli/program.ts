import { Command } from 'commander';
import { auditCommand } from './commands/audit.js';
import { backfillCommand } from './commands/backfill.js';
import { demoCommand } from './commands/demo.js';
import { doctorCommand } from './commands/doctor.js';
import { historyCommand } from './commands/history.js';
import { initCommand } from './commands/init.js';
import { journalCommand } from './commands/journal.js';
import { mergeCommand } from './commands/merge.js';
import { repairCommand } from './commands/repair.js';
import { simCommand } from './commands/sim.js';
import { whyCommand } from './commands/why.js';
import { UsageError } from '../errors.js';
import type { CliContext } from './context.js';
import { stderrText } from './stderr-text.js';
import { VERSION } from './version.js';

export function createProgram(context: CliContext): Command {
  // addCommand() does not pass these settings down, so each command gets them here.
  const configure = (command: Command): Command =>
    command
      .exitOverride()
      .showHelpAfterError('(run with --help for usage)')
      .configureHelp({ showGlobalOptions: true })
      .configureOutput({
        writeOut: (text) => context.stdout.write(text),
        writeErr: (text) => context.stderr.write(stderrText(text)),
      });

  const program = configure(
    new Command('sfsync')
      .description(
        'Audit, order and repair Postgres → Salesforce syncs ' +
          'through Heroku Connect mirror tables.',
      )
      .version(VERSION, '-V, --version')
      .option('-q, --quiet', 'no progress or notes on stderr: only errors and warnings')
      .option(
        '-v, --verbose',
        'every progress step on stderr, as lines when stderr is not a terminal',
      )
      .hook('preAction', (_program, command) => {
        const { quiet, verbose } = command.optsWithGlobals<{
          quiet?: boolean;
          verbose?: boolean;
        }>();
        if (quiet && verbose) throw new UsageError('--quiet and --verbose cannot be used together');
        context.verbosity = quiet ? 'quiet' : verbose ? 'verbose' : 'normal';
      }),
  );
  for (const command of [
    demoCommand(context),
    initCommand(context),
    doctorCommand(context),
    auditCommand(context),
    mergeCommand(context),
    repairCommand(context),
    backfillCommand(context),
    journalCommand(context),
    whyCommand(context),
    historyCommand(context),
    simCommand(context),
  ])
    program.addCommand(configure(command));
  return program;
}
