import { createRequire } from 'node:module';
import { Command } from 'commander';
import { auditCommand } from './commands/audit.js';
import { backfillCommand } from './commands/backfill.js';
import { demoCommand } from './commands/demo.js';
import { doctorCommand } from './commands/doctor.js';
import { journalCommand } from './commands/journal.js';
import { repairCommand } from './commands/repair.js';
import { simCommand } from './commands/sim.js';
import { redactSecrets } from '../core/redact.js';
import type { CliContext } from './context.js';

const { version } = createRequire(import.meta.url)('../../package.json') as { version: string };

export function createProgram(context: CliContext): Command {
  // addCommand() does not pass these settings down, so each command gets them here.
  const configure = (command: Command): Command =>
    command
      .exitOverride()
      .showHelpAfterError('(run with --help for usage)')
      .configureOutput({ writeOut: (text) => context.stdout.write(text), writeErr: (text) => context.stderr.write(redactSecrets(text)) });

  const program = configure(
    new Command('sfsync')
      .description('Audit, order and repair Postgres → Salesforce syncs through Heroku Connect mirror tables.')
      .version(version, '-V, --version'),
  );
  for (const command of [
    demoCommand(context),
    doctorCommand(context),
    auditCommand(context),
    repairCommand(context),
    backfillCommand(context),
    journalCommand(context),
    simCommand(context),
  ])
    program.addCommand(configure(command));
  return program;
}
